import { Queue } from 'bullmq';
import { inject } from 'vitest';
import { NotificationLifecycle } from '../../src/notifications/notification-lifecycle';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald, uniquePrefix } from '../support/herald';
import { type HeraldProcess, spawnHerald } from '../support/herald-process';
import { simulatorEnv } from '../support/simulator-env';
import { until } from '../support/until';
import {
  FAST_DELIVERY,
  emailTo,
  getRecord,
  postNotification,
  startSimulator,
} from './delivery-fixture';

/** SendGrid answers this late; the job lock (2 s) expires many times over meanwhile. */
const LATENCY_MS = 8_000;

/**
 * Two worker processes; worker A takes a notification and is frozen (SIGSTOP, standing in for a
 * long GC pause or a network partition) while its provider call is out; BullMQ hands the
 * stalled job to worker B. Only one of them may call the provider.
 */
describe(NotificationLifecycle.name, () => {
  let simulator: ProviderSimulator;
  let api: RunningHerald;
  let queue: Queue;
  const workers: HeraldProcess[] = [];

  beforeAll(async () => {
    simulator = await startSimulator();
    const env = {
      ...simulatorEnv(simulator.url),
      ...FAST_DELIVERY,
      REDIS_URL: inject('redisUrl'),
      HERALD_REDIS_PREFIX: uniquePrefix(),
      HERALD_AUTH: 'disabled',
      PORT: '0',
      HOST: '127.0.0.1',
      // Long enough that the late answer is an answer, not a timeout.
      SENDGRID_DEADLINE_MS: '30000',
      // A worker's grace must outlast its longest round (30 s + Mailgun's and SES's 2 s).
      HERALD_SHUTDOWN_GRACE_MS: '40000',
      HERALD_BREAKER_ROLLING_WINDOW_MS: '120000',
      HERALD_JOB_LOCK_MS: '2000',
    };
    api = await startReadyHerald({ ...env, HERALD_ROLE: 'api', LOG_LEVEL: 'error' });
    queue = new Queue(api.config.queue.name, {
      connection: { host: '127.0.0.1', port: Number(new URL(inject('redisUrl')).port) },
      prefix: api.config.queue.prefix,
    });
    for (const name of ['a', 'b']) {
      const worker = spawnHerald({ ...env, HERALD_ROLE: 'worker', LOG_LEVEL: 'info' });
      workers.push(worker);
      await worker.waitFor(/listening on/, 45_000);
      void name;
    }
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await queue?.close();
    await api?.close();
    await simulator?.stop();
  });

  /**
   * Freezes B, posts, waits for the first provider request (so A has it), freezes A, thaws B,
   * and thaws A once `resumeA` holds. Returns the notification id and worker B's output offset.
   */
  async function pausedOwner(resumeA: (id: string) => Promise<boolean>): Promise<string> {
    const [a, b] = workers as [HeraldProcess, HeraldProcess];
    b.child.kill('SIGSTOP');
    const before = simulator.requests('sendgrid');
    const id = await postNotification(api.url, emailTo('paused@example.com'));
    await until(() => simulator.requests('sendgrid') > before, 20_000, 'worker A calling sendgrid');
    a.child.kill('SIGSTOP');
    b.child.kill('SIGCONT');
    try {
      await until(() => resumeA(id), 40_000, 'the moment to thaw worker A', 100);
    } finally {
      a.child.kill('SIGCONT');
    }
    return id;
  }

  /** The notification's deliver job (its id is the notification's) failed, or completed and went. */
  const jobDone = (id: string) => async () =>
    ['completed', 'failed', 'unknown'].includes(await queue.getJobState(id));
  /** B has met the notification: it waits for A (fixed), or it has sent it (before the fix). */
  const bMetIt = (outputBefore: number, requestsBefore: number) => async () =>
    /being delivered by another round/.test(workers[1]!.output().slice(outputBefore)) ||
    simulator.requests('sendgrid') > requestsBefore + 1;

  describe('when the worker that owns a delivery is paused mid-call and its job goes to another worker', () => {
    it('the provider gets exactly one request, and the record one delivered attempt', async () => {
      simulator.setBehaviour('sendgrid', { mode: 'ok', latencyMs: LATENCY_MS });
      const requestsBefore = simulator.requests('sendgrid');
      const outputBefore = workers[1]!.output().length;
      const id = await pausedOwner(bMetIt(outputBefore, requestsBefore));

      await until(jobDone(id), 40_000, 'the job finished');
      const record = await getRecord(api.url, id);
      const receipts = simulator.messages().filter((m) => m.notificationId === id);
      expect(simulator.requests('sendgrid') - requestsBefore).toBe(1);
      expect(receipts).toHaveLength(1);
      expect(record.status).toBe('sent');
      expect(record.attempts.filter((x) => x.outcome === 'sent')).toHaveLength(1);
    }, 90_000);
  });

  describe('when the paused owner’s call then fails with a 400', () => {
    it('no second request is made, the record is failed as rejected, and a retry is refused', async () => {
      simulator.setBehaviour('sendgrid', {
        mode: 'ok',
        latencyMs: LATENCY_MS,
        failNext: 1,
        status: 400,
      });
      const requestsBefore = simulator.requests('sendgrid');
      const outputBefore = workers[1]!.output().length;
      // Before the fix, B re-sent it and recorded `delivered`; A's 400 then rolled that back.
      const id = await pausedOwner(async (nid) => {
        if (await bMetIt(outputBefore, requestsBefore)()) {
          if (simulator.requests('sendgrid') === requestsBefore + 1) return true;
          return (await getRecord(api.url, nid)).status === 'sent';
        }
        return false;
      });

      await until(jobDone(id), 40_000, 'the job finished');
      const record = await getRecord(api.url, id);
      expect(simulator.requests('sendgrid') - requestsBefore).toBe(1);
      expect(record.status).toBe('failed');
      expect(record.failure?.errorClass).toBe('rejected');
      expect(record.attempts.filter((x) => x.outcome === 'sent')).toEqual([]);

      const retry = await fetch(`${api.url}/v1/notifications/${id}/retry`, { method: 'POST' });
      expect(retry.status).toBe(409);
      expect(((await retry.json()) as { code: string }).code).toBe('notification_rejected');
      expect(simulator.requests('sendgrid') - requestsBefore).toBe(1);
    }, 90_000);
  });
});
