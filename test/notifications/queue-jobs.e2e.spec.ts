import { NotificationWorker } from '../../src/delivery/notification.worker';
import { ACCEPTED_SEND_JOB_FIELD, SEND_JOB } from '../../src/queue/queue.constants';
import { RedisService } from '../../src/redis/redis.service';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import {
  deliveryEnv,
  emailTo,
  openProducer,
  type Producer,
  startSimulator,
} from '../delivery/delivery-fixture';
import { type RunningHerald, startReadyHerald } from '../support/herald';

describe(NotificationWorker.name, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  let producer: Producer;

  beforeAll(async () => {
    simulator = await startSimulator();
    herald = await startReadyHerald(deliveryEnv(simulator.url));
    producer = await openProducer(herald);
  });
  afterAll(async () => {
    await producer?.close();
    await herald?.close();
    await simulator?.stop();
  });

  describe('when a producer sets no removeOnComplete or removeOnFail', () => {
    it('a completed send job keeps neither recipient nor body', async () => {
      const job = await producer.queue.add(SEND_JOB, emailTo('kept-nothing@example.com'));
      const result = (await job.waitUntilFinished(producer.events, 20_000)) as { id: string };
      const redis = herald.app.get(RedisService).client;
      const jobKey = `${herald.config.queue.prefix}:${herald.config.queue.name}:${job.id}`;
      const stored = await redis.hgetall(jobKey);
      expect(JSON.parse(stored.data!)).toEqual({ [ACCEPTED_SEND_JOB_FIELD]: result.id });
      expect(JSON.stringify(stored)).not.toMatch(/kept-nothing|on its way/);
    });

    it('finished jobs are removed after an hour (completed) or the record retention (failed)', async () => {
      const job = await producer.queue.add(SEND_JOB, { channel: 'email', to: ['x'] });
      await expect(job.waitUntilFinished(producer.events, 20_000)).rejects.toThrow(/Invalid/);
      const worker = herald.app.get(NotificationWorker) as unknown as {
        worker: { opts: { removeOnFail: unknown; removeOnComplete: unknown } };
      };
      expect(worker.worker.opts.removeOnFail).toEqual({ age: herald.config.records.ttlSeconds });
      expect(worker.worker.opts.removeOnComplete).toEqual({ age: 3_600 });
    });
  });

  describe('when a job without idempotencyKey has the id another producer used as its key', () => {
    it('is its own notification and is sent', async () => {
      const explicit = await producer.queue.add(SEND_JOB, {
        ...emailTo('first@example.com'),
        idempotencyKey: 'job:collide-9',
      });
      const first = (await explicit.waitUntilFinished(producer.events, 20_000)) as { id: string };
      const implicit = await producer.queue.add(SEND_JOB, emailTo('first@example.com'), {
        jobId: 'collide-9',
      });
      const second = (await implicit.waitUntilFinished(producer.events, 20_000)) as {
        id: string;
        status: string;
      };
      expect(second.id).not.toBe(first.id);
      expect(second.status).toBe('sent');
      // The explicit key's own id reaches the implicit namespace neither.
      const explicitAgain = await producer.queue.add(SEND_JOB, {
        ...emailTo('first@example.com'),
        idempotencyKey: 'collide-9',
      });
      const third = (await explicitAgain.waitUntilFinished(producer.events, 20_000)) as {
        id: string;
      };
      expect(third.id).not.toBe(first.id);
      expect(simulator.messages({ to: 'first@example.com' })).toHaveLength(3);
    });
  });
});
