import { randomUUID } from 'node:crypto';
import { NotificationWorker } from '../../src/delivery/notification.worker';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { DELIVER_JOB } from '../../src/queue/queue.constants';
import { RedisService } from '../../src/redis/redis.service';
import { emailTo, waitForRecord, useDeliveryStack } from './delivery-fixture';

describe(NotificationWorker.name, () => {
  const stack = useDeliveryStack();

  describe('when a delivery job fails for good with an unexpected error mid-round', () => {
    it('leaves the record failed and re-drivable, never sending', async () => {
      const id = randomUUID();
      const records = stack.herald.app.get(NotificationRecordsRepository);
      await records.create({ id, caller: 'test', message: emailTo('orphan@example.com') as never });
      // A record whose message cannot be read: the round has started (`sending`) when it throws.
      await stack.herald.app
        .get(RedisService)
        .client.hset(`${stack.herald.config.queue.prefix}:ntf:${id}`, 'message', '{');
      const job = await stack.producer.queue.add(
        DELIVER_JOB,
        { notificationId: id },
        { jobId: id },
      );
      await expect(job.waitUntilFinished(stack.producer.events, 20_000)).rejects.toThrow();

      const record = await waitForRecord(
        stack.herald.url,
        id,
        (r) => r.status !== 'sending',
        20_000,
      );
      expect(record.status).toBe('failed');
      expect(record.failure).toMatchObject({
        errorClass: 'exhausted',
        detail: expect.stringMatching(/^the delivery job failed: /),
      });
      expect(stack.simulator.messages({ to: 'orphan@example.com' })).toEqual([]);
      const retry = await fetch(`${stack.herald.url}/v1/notifications/${id}/retry`, {
        method: 'POST',
      });
      expect(retry.status).toBe(202);
    });
  });
});
