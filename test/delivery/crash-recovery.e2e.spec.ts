import { setTimeout as sleep } from 'node:timers/promises';
import { NotificationWorker } from '../../src/delivery/notification.worker';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { RedisService } from '../../src/redis/redis.service';
import type { NotificationRecord } from '../../src/contracts/notification-record';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald, uniquePrefix } from '../support/herald';
import { type HeraldProcess, spawnHerald } from '../support/herald-process';
import { simulatorEnv } from '../support/simulator-env';
import { redisEnv } from '../support/test-redis';
import { until } from '../support/until';
import { FAST_DELIVERY, emailTo, postNotification, startSimulator } from './delivery-fixture';

const MESSAGES = 1_000;
/** Kill the first worker once this many messages have reached the providers. */
const KILL_AFTER = 300;
const CONCURRENCY = 20;

/** A call the kill interrupted, recorded on recovery: the provider may have accepted it unseen. */
const isInterrupted = (r: NotificationRecord) =>
  r.attempts.some((a) => a.ambiguous && a.detail?.startsWith('interrupted:'));
/** Any call that may have reached the provider although Herald saw no success. */
const hasAmbiguousCall = (r: NotificationRecord) =>
  r.attempts.some((a) => a.ambiguous && a.outcome !== 'sent');

describe(NotificationWorker.name, () => {
  let simulator: ProviderSimulator;
  let api: RunningHerald;
  const workers: HeraldProcess[] = [];

  beforeAll(async () => {
    simulator = await startSimulator(MESSAGES * 3);
    // A provider that takes 20 ms per call, so many calls are in flight at the kill.
    for (const p of ['sendgrid', 'mailgun', 'ses'] as const) {
      simulator.setBehaviour(p, { mode: 'ok', latencyMs: 20 });
    }
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await api?.close();
    await simulator?.stop();
  });

  describe('when a worker process is killed with SIGKILL in the middle of 1,000 messages', () => {
    it('a new worker delivers every message, none lost and none twice except after a call recorded as ambiguous', async (ctx) => {
      const prefix = uniquePrefix();
      const env = {
        ...simulatorEnv(simulator.url),
        ...FAST_DELIVERY,
        ...redisEnv(prefix),
        HERALD_AUTH: 'disabled',
        LOG_LEVEL: 'warn',
        PORT: '0',
        HOST: '127.0.0.1',
        HERALD_WORKER_CONCURRENCY: String(CONCURRENCY),
        // Deadlines are not under test here: only a crash should make a call ambiguous. Nor is
        // hang detection: the simulator answers from this process, so one stall of it (it reads
        // 1,000 records a poll) holds every call in flight past the bound, and each is
        // abandoned as hung (on a cluster run, all 21 within 3 ms, each then sent again).
        SENDGRID_DEADLINE_MS: '2000',
        HERALD_HANG_LATENCY_FACTOR: '0',
      };
      api = await startReadyHerald({ ...env, HERALD_ROLE: 'api' });
      const ids: string[] = [];
      for (let batch = 0; batch < MESSAGES / 50; batch += 1) {
        ids.push(
          ...(await Promise.all(
            Array.from({ length: 50 }, (_, i) =>
              postNotification(api.url, emailTo(`crash${batch * 50 + i}@example.com`)),
            ),
          )),
        );
      }

      const startWorker = async () => {
        // Info, for the "listening on" line that says the worker is up.
        const worker = spawnHerald({ ...env, HERALD_ROLE: 'worker', LOG_LEVEL: 'info' });
        workers.push(worker);
        await worker.waitFor(/listening on/, 30_000);
        return worker;
      };
      const first = await startWorker();
      const firstUp = Date.now();
      await until(() => simulator.messages().length >= KILL_AFTER, 30_000, 'the first deliveries');
      // At a random moment of the send cycle, not in step with the receipts the trigger counts.
      await sleep(Math.random() * 40);
      first.child.kill('SIGKILL');
      await first.exited();
      const atKill = simulator.messages().length;
      const firstRanMs = Date.now() - firstUp;
      expect(atKill).toBeLessThan(MESSAGES);

      await startWorker();
      const records = api.app.get(NotificationRecordsRepository);
      let final: NotificationRecord[] = [];
      await until(
        async () => {
          final = (await Promise.all(ids.map((id) => records.get(id)))).filter(
            (r): r is NotificationRecord => r !== undefined,
          );
          return final.length === MESSAGES && final.every((r) => r.status === 'sent');
        },
        60_000,
        'every record delivered',
        250,
      );

      const receipts = new Map<string, number>();
      for (const m of simulator.messages()) {
        receipts.set(m.notificationId!, (receipts.get(m.notificationId!) ?? 0) + 1);
      }
      // None lost: every notification reached a provider.
      expect(ids.filter((id) => !receipts.has(id))).toEqual([]);
      // None twice, unless its record shows a call that may have reached the provider unseen:
      // one interrupted by the kill (or, on an overloaded machine, one that timed out).
      const twice = final.filter((r) => receipts.get(r.id)! > 1);
      expect(twice.filter((r) => !hasAmbiguousCall(r)).map((r) => r.id)).toEqual([]);
      expect(Math.max(...receipts.values())).toBeLessThanOrEqual(2);
      // Only calls in flight at the kill can be ambiguous: at most one per concurrent job. A
      // worker splits its concurrency over the shards, rounded up, one BullMQ worker each.
      const shards = api.app.get(RedisService).shards.count;
      const inFlight = shards * Math.ceil(CONCURRENCY / shards);
      const interrupted = final.filter(isInterrupted);
      // Said before the bounds are checked, so that a failure shows the breakdown.
      await ctx.annotate(
        `killed after ${atKill} receipts in ${firstRanMs} ms, at most ${inFlight} jobs in flight; ` +
          `${interrupted.length} interrupted calls recorded; ` +
          `${twice.length} notifications received twice ` +
          `(${twice.filter(isInterrupted).length} after an interrupted call, ` +
          `${twice.filter((r) => !isInterrupted(r)).length} after a timeout)`,
      );
      expect(interrupted.length).toBeLessThanOrEqual(inFlight);
      expect(twice.length).toBeLessThanOrEqual(inFlight);
    }, 120_000);
  });
});
