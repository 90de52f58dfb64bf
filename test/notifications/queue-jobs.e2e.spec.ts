import { NotificationWorker } from '../../src/delivery/notification.worker';
import { ACCEPTED_SEND_JOB_FIELD, SEND_JOB } from '../../src/queue/queue.constants';
import { RedisService } from '../../src/redis/redis.service';
import { emailTo, useDeliveryStack } from '../delivery/delivery-fixture';

describe(NotificationWorker.name, () => {
  const stack = useDeliveryStack();

  describe('when a producer sets no removeOnComplete or removeOnFail', () => {
    it('a completed send job keeps neither recipient nor body', async () => {
      const job = await stack.producer.queue.add(SEND_JOB, emailTo('kept-nothing@example.com'));
      const result = (await job.waitUntilFinished(stack.producer.events, 20_000)) as { id: string };
      const redis = stack.herald.app.get(RedisService).client;
      const jobKey = `${stack.herald.config.queue.prefix}:${stack.herald.config.queue.name}:${job.id}`;
      const stored = await redis.hgetall(jobKey);
      expect(JSON.parse(stored.data!)).toEqual({ [ACCEPTED_SEND_JOB_FIELD]: result.id });
      expect(JSON.stringify(stored)).not.toMatch(/kept-nothing|on its way/);
    });

    it('finished jobs are removed after an hour (completed) or the record retention (failed)', async () => {
      const job = await stack.producer.queue.add(SEND_JOB, { channel: 'email', to: ['x'] });
      await expect(job.waitUntilFinished(stack.producer.events, 20_000)).rejects.toThrow(/Invalid/);
      // The BullMQ worker itself (shard 0's, the only one), inside its ManagedWorker.
      const {
        managed: [worker],
      } = stack.herald.app.get(NotificationWorker) as unknown as {
        managed: { worker: { opts: { removeOnFail: unknown; removeOnComplete: unknown } } }[];
      };
      expect(worker!.worker.opts.removeOnFail).toEqual({
        age: stack.herald.config.records.ttlSeconds,
      });
      expect(worker!.worker.opts.removeOnComplete).toEqual({ age: 3_600 });
    });
  });

  describe('when a job without idempotencyKey has the id another producer used as its key', () => {
    it('is its own notification and is sent', async () => {
      const explicit = await stack.producer.queue.add(SEND_JOB, {
        ...emailTo('first@example.com'),
        idempotencyKey: 'job:collide-9',
      });
      const first = (await explicit.waitUntilFinished(stack.producer.events, 20_000)) as {
        id: string;
      };
      const implicit = await stack.producer.queue.add(SEND_JOB, emailTo('first@example.com'), {
        jobId: 'collide-9',
      });
      const second = (await implicit.waitUntilFinished(stack.producer.events, 20_000)) as {
        id: string;
        status: string;
      };
      expect(second.id).not.toBe(first.id);
      expect(second.status).toBe('sent');
      // The explicit key's own id reaches the implicit namespace neither.
      const explicitAgain = await stack.producer.queue.add(SEND_JOB, {
        ...emailTo('first@example.com'),
        idempotencyKey: 'collide-9',
      });
      const third = (await explicitAgain.waitUntilFinished(stack.producer.events, 20_000)) as {
        id: string;
      };
      expect(third.id).not.toBe(first.id);
      expect(stack.simulator.messages({ to: 'first@example.com' })).toHaveLength(3);
    });
  });
});
