import { join } from 'node:path';
import { SANDBOX_CREDENTIALS as C } from '../../src/config/sandbox-credentials';
import { BUILD_DIR } from './build';
import { freePort, type NodeProcess, startNode } from './processes';
import { BENCH_API_KEY, BENCH_QUEUE } from './workload';

export interface HeraldOptions {
  readonly role: 'api' | 'worker';
  /** Compiled `main.js` (see `buildForBench`). */
  readonly main: string;
  readonly redisUrl: string;
  /**
   * Seeds of a Redis Cluster (`host:port,…`): when set, Herald gets REDIS_CLUSTER_NODES instead
   * of REDIS_URL (and `prefix` must hold a hash tag).
   */
  readonly clusterNodes?: string;
  readonly prefix: string;
  /** Base URL of the provider simulator every provider is pointed at. */
  readonly simulatorUrl: string;
  /** More variables, overriding the defaults below. */
  readonly env?: Record<string, string>;
  /** Label of the CPU profile written when BENCH_CPU_PROF=1. */
  readonly profileLabel: string;
}

export interface RunningHerald {
  readonly process: NodeProcess;
  readonly url: string;
  /** The environment it was started with, for the results file (no secrets worth hiding: sandbox keys). */
  readonly env: Record<string, string>;
}

/**
 * On Node 22, AsyncLocalStorage by AsyncContextFrame instead of promise hooks, as the Docker
 * image runs it (Node 24 does so by default and refuses the flag). Herald's request-scoped
 * logger and provider request context keep an AsyncLocalStorage; with promise hooks every
 * promise of the process pays for it (a third of a worker's CPU per message in the delivery
 * benchmark). The floors get it too: they keep none, so it changes nothing for them.
 */
const CONTEXT_FRAME_FLAGS =
  process.versions.node.split('.')[0] === '22' ? ['--experimental-async-context-frame'] : [];

/**
 * Node flags of an `api` process, as docker-compose.yml runs it (a larger young generation; see
 * README, Running in production). The accept floor gets them too, so both pay the same GC.
 */
export const API_NODE_FLAGS = ['--max-semi-space-size=32', ...CONTEXT_FRAME_FLAGS];

/**
 * Node flags of a `worker` process, as docker-compose.yml runs it (an old-generation ceiling
 * sized for its concurrency; see README, Running in production). The plain BullMQ worker (the
 * delivery floor, the failover peer) gets them too, so both grow their heaps by the same rule.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=256', ...CONTEXT_FRAME_FLAGS];

/** Worker concurrency of every benchmark, Herald's and the floors' alike. */
export const CONCURRENCY = 50;
/** Deadline of each provider call, Herald's and the peer's alike. */
export const DEADLINE_MS = 2_000;

/**
 * Starts Herald as production runs it — a separate `node` process of compiled JavaScript,
 * JSON logs at warn — configured like a real deployment (HERALD_SANDBOX=false, every
 * provider's credentials and base URL), with the base URLs pointing at the simulator.
 */
export async function startHerald(options: HeraldOptions): Promise<RunningHerald> {
  const port = await freePort();
  const sim = options.simulatorUrl;
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    HERALD_ROLE: options.role,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...(options.clusterNodes
      ? { REDIS_CLUSTER_NODES: options.clusterNodes }
      : { REDIS_URL: options.redisUrl }),
    HERALD_REDIS_PREFIX: options.prefix,
    HERALD_QUEUE_NAME: BENCH_QUEUE,
    HERALD_API_KEYS: `bench:${BENCH_API_KEY}`,
    HERALD_WORKER_CONCURRENCY: String(CONCURRENCY),
    HERALD_PROVIDER_DEADLINE_MS: String(DEADLINE_MS),
    // Must exceed volume threshold (5) × deadline: the production default, 60 s, does.
    HERALD_BREAKER_ROLLING_WINDOW_MS: '60000',
    HERALD_SANDBOX: 'false',
    HERALD_TEMPLATES_DIR: join(__dirname, '..', '..', 'templates'),
    SENDGRID_API_KEY: C.sendgrid.apiKey,
    SENDGRID_BASE_URL: sim,
    MAILGUN_API_KEY: C.mailgun.apiKey,
    MAILGUN_DOMAIN: C.mailgun.domain,
    MAILGUN_URL: sim,
    SES_ENDPOINT: sim,
    SES_REGION: C.ses.region,
    AWS_ACCESS_KEY_ID: C.ses.accessKeyId,
    AWS_SECRET_ACCESS_KEY: C.ses.secretAccessKey,
    TWILIO_ACCOUNT_SID: C.twilio.accountSid,
    TWILIO_AUTH_TOKEN: C.twilio.authToken,
    TWILIO_FROM: C.twilio.from,
    TWILIO_BASE_URL: sim,
    SLACK_BOT_TOKEN: C.slack.token,
    SLACK_API_URL: `${sim}/api/`,
    // V8 settings to try on Herald alone (e.g. `--max-old-space-size=256`), as NODE_OPTIONS.
    ...(process.env.BENCH_HERALD_NODE_OPTIONS
      ? { NODE_OPTIONS: process.env.BENCH_HERALD_NODE_OPTIONS }
      : {}),
    ...options.env,
  };
  const proc = startNode(`herald-${options.role}`, options.main, env, [
    ...(options.role === 'api' ? API_NODE_FLAGS : []),
    ...(options.role === 'worker' ? WORKER_NODE_FLAGS : []),
    ...profileArgs(options.profileLabel),
  ]);
  const url = `http://127.0.0.1:${port}`;
  await proc.waitForHttp(`${url}/health/live`);
  return { process: proc, url, env };
}

/**
 * `--cpu-prof` arguments when BENCH_CPU_PROF=1: the profile is written when the process exits
 * (Herald exits cleanly on SIGTERM), to bench/results/profiles/<label>.cpuprofile.
 */
export function profileArgs(label: string): string[] {
  if (process.env.BENCH_CPU_PROF !== '1') return [];
  return [
    '--cpu-prof',
    '--cpu-prof-dir',
    join(BUILD_DIR, '..', 'profiles'),
    '--cpu-prof-name',
    `${label}.cpuprofile`,
  ];
}
