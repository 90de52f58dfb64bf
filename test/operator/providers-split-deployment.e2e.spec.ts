import { inject } from 'vitest';
import {
  type OutcomeCounts,
  type ProvidersStatus,
  providersStatusSchema,
} from '../../src/providers-status/provider-status.schema';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import {
  emailTo,
  FAST_DELIVERY,
  postNotification,
  startSimulator,
} from '../delivery/delivery-fixture';
import { uniquePrefix } from '../support/herald';
import { type HeraldProcess, spawnHerald } from '../support/herald-process';
import { simulatorEnv } from '../support/simulator-env';
import { until } from '../support/until';

const PUBLISH_MS = 200;
/** HERALD_STATUS_PUBLISH_MS × 3. */
const TTL_MS = 3 * PUBLISH_MS;

interface Started {
  readonly process: HeraldProcess;
  readonly url: string;
}

async function start(env: Record<string, string>): Promise<Started> {
  const process = spawnHerald(env);
  await process.waitFor(/listening on 127\.0\.0\.1:\d+/, 60_000);
  const port = /listening on 127\.0\.0\.1:(\d+)/.exec(process.output())![1];
  return { process, url: `http://127.0.0.1:${port}` };
}

describe('GET /v1/providers in a split deployment (one api, two worker processes)', () => {
  let simulator: ProviderSimulator;
  let api: Started;
  let workers: Started[];

  beforeAll(async () => {
    simulator = await startSimulator();
    const env = {
      ...simulatorEnv(simulator.url),
      ...FAST_DELIVERY,
      HOST: '127.0.0.1',
      PORT: '0',
      REDIS_URL: inject('redisUrl'),
      HERALD_REDIS_PREFIX: uniquePrefix(),
      HERALD_AUTH: 'disabled',
      HERALD_STATUS_PUBLISH_MS: String(PUBLISH_MS),
      LOG_LEVEL: 'info',
    };
    [api, ...workers] = await Promise.all([
      start({ ...env, HERALD_ROLE: 'api' }),
      start({ ...env, HERALD_ROLE: 'worker' }),
      start({ ...env, HERALD_ROLE: 'worker' }),
    ]);
  }, 120_000);
  afterAll(async () => {
    for (const p of [api, ...(workers ?? [])]) {
      if (p && p.process.child.exitCode === null && p.process.child.signalCode === null) {
        p.process.child.kill('SIGKILL');
        await p.process.exited();
      }
    }
    await simulator?.stop();
  });

  const providers = async (): Promise<ProvidersStatus> => {
    const res = await fetch(`${api.url}/v1/providers`);
    expect(res.status).toBe(200);
    return providersStatusSchema.parse(await res.json());
  };
  /** The worker id a process publishes under: `<host>:<pid>:<random>`. */
  const idOf = async (worker: Started) =>
    (await providers()).workers.find((w) => w.workerId.includes(`:${worker.process.child.pid}:`))
      ?.workerId;

  it("shows each worker's view and a combined one", async () => {
    await until(async () => (await providers()).workers.length === 2, 10_000, 'two workers');
    const status = await providers();
    expect(status.workers.every((w) => w.role === 'worker' && !w.local)).toBe(true);
    const ids = await Promise.all(workers.map(idOf));
    expect(ids.every((id) => id !== undefined)).toBe(true);
    for (const p of status.providers) {
      expect(p.workers.map((w) => w.workerId).sort()).toEqual([...ids].sort());
      expect(p.workersByState).toEqual({ closed: 2, half_open: 0, open: 0 });
    }

    // Failures land on whichever worker took each job; the combined view adds them up.
    simulator.setBehaviour('sendgrid', { mode: 'fail', status: 503 });
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => postNotification(api.url, emailTo(`s${i}@example.com`))),
    );
    await until(
      () => simulator.messages({ provider: 'mailgun' }).length === 6,
      15_000,
      'six e-mails delivered by mailgun',
    );
    // A cold first call may also time out on a loaded machine: count every failure class.
    const failed = (c: OutcomeCounts) => Object.values(c.failed).reduce((a, b) => a + b, 0);
    const calls = simulator.requests('sendgrid');
    await until(
      async () => {
        const sendgrid = (await providers()).providers.find((p) => p.provider === 'sendgrid')!;
        return (
          failed(sendgrid.counts) === calls &&
          sendgrid.workers.reduce((n, w) => n + failed(w.counts), 0) === calls
        );
      },
      5_000,
      "the workers' published sendgrid failures adding up to the calls the simulator saw",
    );
    // Each worker counts a send once the provider's answer is back, and publishes it within a period.
    await until(
      async () => {
        const mailgun = (await providers()).providers.find((p) => p.provider === 'mailgun')!;
        return (
          mailgun.counts.sent === 6 && mailgun.workers.reduce((n, w) => n + w.counts.sent, 0) === 6
        );
      },
      5_000,
      "the workers' published mailgun sends adding up to six",
    );
  });

  it('drops a killed worker within the TTL', async (ctx) => {
    const [killed, survivor] = workers as [Started, Started];
    const survivorId = await idOf(survivor);
    killed.process.child.kill('SIGKILL');
    await killed.process.exited();
    const killedAt = Date.now();
    await until(
      async () => (await providers()).workers.length === 1,
      TTL_MS + 2_000,
      'the killed worker to drop out',
    );
    const droppedAfterMs = Date.now() - killedAt;
    await ctx.annotate(`killed worker dropped out after ${droppedAfterMs} ms (TTL ${TTL_MS} ms)`);
    // The TTL, plus room for a loaded machine to answer the polls.
    expect(droppedAfterMs).toBeLessThanOrEqual(TTL_MS + 1_000);
    const status = await providers();
    expect(status.workers.map((w) => w.workerId)).toEqual([survivorId]);
    expect(status.providers.every((p) => p.workers.length === 1)).toBe(true);
  });

  it('removes a worker that stops cleanly at once', async () => {
    const survivor = workers[1]!;
    survivor.process.child.kill('SIGTERM');
    expect((await survivor.process.exited()).code).toBe(0);
    const status = await providers();
    expect(status.workers).toEqual([]);
    expect(status.providers.every((p) => p.state === null && p.workers.length === 0)).toBe(true);
  });
});
