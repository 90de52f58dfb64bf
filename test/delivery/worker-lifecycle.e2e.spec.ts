import { Queue } from 'bullmq';
import { NotificationWorker } from '../../src/delivery/notification.worker';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { SEND_JOB } from '../../src/queue/queue.constants';
import { RedisService } from '../../src/redis/redis.service';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { startHerald, startReadyHerald } from '../support/herald';
import { type RedisServer, freePort, startRedisServer } from '../support/redis-server';
import { until } from '../support/until';
import {
  deliveryEnv,
  emailTo,
  openProducer,
  postNotification,
  startSimulator,
} from './delivery-fixture';

describe(NotificationWorker.name, () => {
  let simulator: ProviderSimulator;

  beforeAll(async () => {
    simulator = await startSimulator();
  });
  afterAll(() => simulator?.stop());
  beforeEach(() => simulator.reset());

  describe('when Redis is down at start', () => {
    let redis: RedisServer | undefined;
    afterEach(() => redis?.stop());

    it('stays up, and delivers once Redis arrives', async () => {
      const port = await freePort();
      const url = `redis://127.0.0.1:${port}`;
      const herald = await startHerald(
        deliveryEnv(simulator.url, { REDIS_URL: url, HERALD_ROLE: 'worker' }),
      );
      try {
        await new Promise((r) => setTimeout(r, 500));
        expect((await fetch(`${herald.url}/health/live`)).status).toBe(200);

        redis = await startRedisServer({ port });
        const producer = await openProducer(herald);
        try {
          const job = await producer.queue.add(SEND_JOB, emailTo('late@example.com'));
          await expect(job.waitUntilFinished(producer.events, 15_000)).resolves.toMatchObject({
            status: 'sent',
            provider: 'sendgrid',
          });
        } finally {
          await producer.close();
        }
      } finally {
        await herald.close();
      }
    });
  });

  describe('when the application stops with a job in flight', () => {
    it('lets the job finish and record its delivery before closing', async () => {
      simulator.setBehaviour('sendgrid', { mode: 'ok', latencyMs: 600 });
      const herald = await startReadyHerald(
        deliveryEnv(simulator.url, { SENDGRID_DEADLINE_MS: '2000' }),
      );
      const records = herald.app.get(NotificationRecordsRepository);
      const id = await postNotification(herald.url, emailTo('inflight@example.com'));
      await until(async () => (await records.get(id))?.status === 'sending', 5_000, 'sending');

      // Read the record through a separate Herald: the stopped one has closed its Redis.
      const reader = await startReadyHerald({
        ...deliveryEnv(simulator.url),
        HERALD_ROLE: 'api',
        HERALD_REDIS_PREFIX: herald.config.queue.prefix,
      });
      try {
        await herald.close();
        const record = await reader.app.get(NotificationRecordsRepository).get(id);
        expect(record).toMatchObject({ status: 'sent', provider: 'sendgrid' });
        expect(simulator.messages({ notificationId: id })).toHaveLength(1);
        const queue = new Queue(herald.config.queue.name, {
          connection: reader.app.get(RedisService).connectionOptions(),
          prefix: herald.config.queue.prefix,
        });
        // Completed: a deliver job is removed on completion (a failed or abandoned one stays).
        expect(await queue.getJobState(id)).toBe('unknown');
        await queue.close();
      } finally {
        await reader.close();
      }
    });
  });
});
