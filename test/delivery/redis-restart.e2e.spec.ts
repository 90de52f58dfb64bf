import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryService } from '../../src/delivery/delivery.service';
import type { NotificationRecord } from '../../src/contracts/notification-record';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald, uniquePrefix } from '../support/herald';
import { type HeraldProcess, spawnHerald } from '../support/herald-process';
import { type RedisServer, startRedisServer } from '../support/redis-server';
import { simulatorEnv } from '../support/simulator-env';
import { until } from '../support/until';
import { FAST_DELIVERY, emailTo, startSimulator } from './delivery-fixture';

const MESSAGES = 200;
const CLIENTS = 10;
/** Restart Redis once this many notifications were accepted. */
const RESTART_AFTER = 70;

describe(DeliveryService.name, () => {
  let simulator: ProviderSimulator;
  let redis: RedisServer;
  let dir: string;
  let api: RunningHerald | undefined;
  let worker: HeraldProcess | undefined;

  beforeAll(async () => {
    simulator = await startSimulator(MESSAGES * 3);
    // Calls take a while, so many are out when Redis goes away.
    simulator.setBehaviour('sendgrid', { mode: 'ok', latencyMs: 300 });
    dir = await mkdtemp(join(tmpdir(), 'herald-aof-'));
    redis = await startRedisServer({ appendOnlyDir: dir });
  });
  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await api?.close();
    await simulator?.stop();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('when Redis (AOF, appendfsync always) restarts in the middle of a load, no process dying', () => {
    it('loses nothing and makes exactly one provider request per notification', async (ctx) => {
      const env = {
        ...simulatorEnv(simulator.url),
        ...FAST_DELIVERY,
        REDIS_URL: redis.url,
        HERALD_REDIS_PREFIX: uniquePrefix(),
        HERALD_AUTH: 'disabled',
        PORT: '0',
        HOST: '127.0.0.1',
        HERALD_WORKER_CONCURRENCY: '20',
        // Deadlines are not under test: only the restart may disturb a call.
        SENDGRID_DEADLINE_MS: '2000',
      };
      api = await startReadyHerald({ ...env, HERALD_ROLE: 'api', LOG_LEVEL: 'fatal' });
      worker = spawnHerald({ ...env, HERALD_ROLE: 'worker', LOG_LEVEL: 'info' });
      await worker.waitFor(/listening on/, 45_000);

      const ids = new Map<number, string>();
      let restarted = false;
      const post = async (n: number): Promise<void> => {
        // A client that keeps its key and body and tries again until it gets its 202.
        for (;;) {
          try {
            const res = await fetch(`${api!.url}/v1/notifications`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'idempotency-key': `restart-${n}` },
              body: JSON.stringify(emailTo(`restart${n}@example.com`)),
            });
            if (res.status === 202) {
              ids.set(n, ((await res.json()) as { id: string }).id);
              return;
            }
          } catch {
            // connection trouble: try again
          }
          await sleep(200);
        }
      };
      const restart = async () => {
        await redis.stop('SIGTERM');
        // Down for a second, as a restart by an operator or a supervisor is.
        await sleep(1_000);
        redis = await startRedisServer({ port: redis.port, appendOnlyDir: dir });
      };
      let next = 0;
      let restarting: Promise<void> | undefined;
      // Ten clients, about 30 messages a second in all.
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          for (let n = next++; n < MESSAGES; n = next++) {
            await post(n);
            if (!restarted && ids.size >= RESTART_AFTER) {
              restarted = true;
              restarting = restart();
            }
            await sleep(300);
          }
        }),
      );
      await restarting;
      expect(ids.size).toBe(MESSAGES);

      const records = api.app.get(NotificationRecordsRepository);
      let final: NotificationRecord[] = [];
      await until(
        async () => {
          try {
            final = (await Promise.all([...ids.values()].map((id) => records.get(id)))).filter(
              (r): r is NotificationRecord => r !== undefined,
            );
          } catch {
            return false;
          }
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
      const twice = [...receipts.values()].filter((n) => n > 1).length;
      await ctx.annotate(
        `${twice} of ${MESSAGES} notifications reached the provider more than once`,
      );
      expect([...ids.values()].filter((id) => !receipts.has(id))).toEqual([]);
      expect(twice).toBe(0);
      expect(simulator.requests('sendgrid')).toBe(MESSAGES);
    }, 180_000);
  });
});
