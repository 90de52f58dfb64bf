import { SANDBOX_CREDENTIALS as C } from '../../src/config/sandbox-credentials';
import { benchScript } from './build';
import { API_NODE_FLAGS, CONCURRENCY, DEADLINE_MS, profileArgs, WORKER_NODE_FLAGS } from './herald';
import { freePort, type NodeProcess, startNode } from './processes';
import { BENCH_QUEUE } from './workload';

/** Starts bench/children/accept-floor.ts and waits until it answers. */
export async function startAcceptFloor(options: {
  readonly redisUrl: string;
  readonly prefix: string;
}): Promise<{ process: NodeProcess; url: string }> {
  const port = await freePort();
  const proc = startNode(
    'accept-floor',
    benchScript('children/accept-floor.ts'),
    {
      NODE_ENV: 'production',
      REDIS_URL: options.redisUrl,
      PREFIX: options.prefix,
      QUEUE_NAME: BENCH_QUEUE,
      PORT: String(port),
    },
    [...API_NODE_FLAGS, ...profileArgs('accept-floor')],
  );
  const url = `http://127.0.0.1:${port}`;
  await proc.waitForHttp(`${url}/health`);
  return { process: proc, url };
}

/** Starts bench/children/event-floor.ts and waits until it answers. */
export async function startEventFloor(options: {
  readonly redisUrl: string;
  readonly prefix: string;
}): Promise<{ process: NodeProcess; url: string }> {
  const port = await freePort();
  const proc = startNode(
    'event-floor',
    benchScript('children/event-floor.ts'),
    {
      NODE_ENV: 'production',
      REDIS_URL: options.redisUrl,
      PREFIX: options.prefix,
      PORT: String(port),
    },
    profileArgs('event-floor'),
  );
  const url = `http://127.0.0.1:${port}`;
  await proc.waitForHttp(`${url}/health`);
  return { process: proc, url };
}

/**
 * Starts bench/children/plain-worker.ts — the delivery floor (`http`) or the failover peer
 * (`notifme`) — with Herald's concurrency and deadline, and waits until it takes jobs.
 */
export async function startPlainWorker(options: {
  readonly mode: 'http' | 'notifme';
  readonly redisUrl: string;
  readonly prefix: string;
  readonly simulatorUrl: string;
  readonly profileLabel: string;
}): Promise<NodeProcess> {
  const proc = startNode(
    options.mode === 'http' ? 'delivery-floor' : 'notifme-peer',
    benchScript('children/plain-worker.ts'),
    {
      NODE_ENV: 'production',
      MODE: options.mode,
      REDIS_URL: options.redisUrl,
      PREFIX: options.prefix,
      QUEUE_NAME: BENCH_QUEUE,
      CONCURRENCY: String(CONCURRENCY),
      DEADLINE_MS: String(DEADLINE_MS),
      SIMULATOR_URL: options.simulatorUrl,
      SENDGRID_API_KEY: C.sendgrid.apiKey,
      MAILGUN_API_KEY: C.mailgun.apiKey,
      MAILGUN_DOMAIN: C.mailgun.domain,
    },
    [...WORKER_NODE_FLAGS, ...profileArgs(options.profileLabel)],
  );
  await proc.waitForOutput(/^ready$/m);
  return proc;
}
