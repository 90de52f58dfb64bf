import { IdempotencyStore } from '../../src/idempotency/idempotency.store';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { ACCEPTED_SEND_JOB_FIELD, SEND_JOB } from '../../src/queue/queue.constants';
import { RedisService } from '../../src/redis/redis.service';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import { spawnHerald } from '../support/herald-process';
import { keysOnEveryShard } from '../support/test-redis';
import { until } from '../support/until';
import {
  deliveryEnv,
  emailTo,
  isFinal,
  keyOnProducerShard,
  openProducer,
  postNotification,
  type Producer,
  startSimulator,
  waitForRecord,
} from './delivery-fixture';

const ATTEMPTS = 3;

describe(NotificationRecordsRepository.name, () => {
  describe('when record and key retention are shorter than a message may live', () => {
    it('the process stops at start, naming the settings', async () => {
      const herald = spawnHerald({
        HERALD_SANDBOX: 'true',
        HERALD_RECORD_TTL_SECONDS: '60',
        HERALD_IDEMPOTENCY_TTL_SECONDS: '60',
      });
      const { code } = await herald.exited();
      expect(code).toBe(1);
      expect(herald.output()).toMatch(/- HERALD_RECORD_TTL_SECONDS: must exceed the longest life/);
      expect(herald.output()).toMatch(/- HERALD_IDEMPOTENCY_TTL_SECONDS: must exceed/);
      expect(herald.output()).not.toMatch(/listening/);
    });
  });

  describe('with 60 s retention and a provider asking to wait 90 s', () => {
    let simulator: ProviderSimulator;
    let herald: RunningHerald;
    let producer: Producer;

    beforeAll(async () => {
      simulator = await startSimulator();
      simulator.setBehaviour('sendgrid', { mode: 'throttle', retryAfterSeconds: 90 });
      // A retry schedule that 60 s outlives (the start-up check insists), so the 90 s
      // Retry-After is clamped to the 1 s cap instead of outliving the record.
      herald = await startReadyHerald(
        deliveryEnv(simulator.url, {
          HERALD_RECORD_TTL_SECONDS: '60',
          HERALD_IDEMPOTENCY_TTL_SECONDS: '60',
          HERALD_EMAIL_PROVIDERS: 'sendgrid',
          HERALD_RETRY_ATTEMPTS: String(ATTEMPTS),
          HERALD_RETRY_CAP_MS: '1000',
        }),
      );
      producer = await openProducer(herald);
    });
    afterAll(async () => {
      await producer?.close();
      await herald?.close();
      await simulator?.stop();
    });

    it('a REST notification is failed for good after its rounds, never lost', async () => {
      const id = await postNotification(herald.url, emailTo('life@example.com'));
      const record = await waitForRecord(herald.url, id, isFinal, 30_000);
      expect(record.status).toBe('failed');
      expect(record.failure?.errorClass).toBe('exhausted');
      expect(record.rounds).toBe(ATTEMPTS);
    });

    it('a send job whose key expired keeps its one notification and reaches the attempt limit', async () => {
      const key = keyOnProducerShard(herald, 'life-job');
      const job = await producer.queue.add(SEND_JOB, {
        ...emailTo('life-job@example.com'),
        idempotencyKey: key,
      });
      let id: string | undefined;
      await until(
        async () => {
          const data = (await producer.queue.getJob(job.id!))?.data as Record<string, unknown>;
          id = data?.[ACCEPTED_SEND_JOB_FIELD] as string | undefined;
          return id !== undefined;
        },
        20_000,
        'the job accepted',
      );
      // The key expires (as after HERALD_IDEMPOTENCY_TTL_SECONDS) while the job waits.
      const store = herald.app.get(IdempotencyStore);
      const redis = herald.app.get(RedisService).client;
      expect(await redis.del(store.entryKey(`queue:${herald.config.queue.name}`, key))).toBe(1);

      await expect(job.waitUntilFinished(producer.events, 30_000)).rejects.toThrow(/^exhausted/);
      const record = await waitForRecord(herald.url, id!, isFinal);
      expect(record).toMatchObject({ status: 'failed', rounds: ATTEMPTS });
      // One notification for the job, whatever its runs did.
      const created = (await keysOnEveryShard(redis, herald.config, 'ntf:*')).filter(
        (k) => !k.endsWith(':attempts'),
      );
      const mine = await Promise.all(created.map((k) => redis.hget(k, 'job')));
      expect(mine.filter((j) => j === job.id)).toHaveLength(1);
    });
  });
});
