import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { CallerEventRelay } from '../../src/caller-events/caller-event.relay';
import { callerEventId, CALLER_EVENTS_QUEUE } from '../../src/caller-events/caller-events.queue';
import { useWebhookReceiver } from '../sandbox/webhook-receiver';
import { type RunningHerald, startReadyHerald, testEnv, uniquePrefix } from '../support/herald';
import { until } from '../support/until';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe(CallerEventRelay.name, () => {
  const receiver = useWebhookReceiver();
  let redis: Redis;
  let herald: RunningHerald | undefined;

  beforeAll(() => {
    redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await herald?.close();
    redis.disconnect();
  });

  describe('when a relay died after queuing an event but before deleting its outbox entry', () => {
    it('takes the entry over and the event is posted once', async () => {
      const prefix = uniquePrefix();
      const outbox = `${prefix}:cevt:outbox`;
      const notificationId = '6f1c2b8e-0000-4000-8000-000000000001';
      const now = new Date().toISOString();
      await redis.hset(`${prefix}:cevt:ep:anonymous`, {
        url: receiver.url('/relay'),
        events: 'notification.sent',
        secret: SECRET,
        generation: '1',
        createdAt: now,
        updatedAt: now,
      });
      // What the lifecycle wrote, read by a relay that then died holding it (idle a minute).
      const streamId = await redis.xadd(
        outbox,
        '*',
        'n',
        notificationId,
        'c',
        'anonymous',
        's',
        'sent',
        't',
        String(Date.now()),
      );
      await redis.xgroup('CREATE', outbox, 'relay', '0');
      await redis.xreadgroup('GROUP', 'relay', 'dead-relay', 'COUNT', 10, 'STREAMS', outbox, '>');
      await redis.xclaim(outbox, 'relay', 'dead-relay', 0, streamId!, 'IDLE', 60_000);
      // ...and had queued its job already.
      const eventId = callerEventId(notificationId, streamId!);
      const connection = redis.duplicate();
      const queue = new Queue(CALLER_EVENTS_QUEUE, { connection, prefix });
      const payload = JSON.stringify({
        type: 'notification.sent',
        id: eventId,
        timestamp: now,
        data: { id: notificationId, status: 'sent', updatedAt: now },
      });
      await queue.add(
        'notification.sent',
        {
          eventId,
          caller: 'anonymous',
          type: 'notification.sent',
          notificationId,
          generation: 1,
          payload,
        },
        { jobId: eventId, attempts: 1 },
      );

      herald = await startReadyHerald(
        testEnv({ HERALD_REDIS_PREFIX: prefix, HERALD_EVENT_ENDPOINT_HOSTS: '127.0.0.1' }),
      );
      await until(async () => (await redis.xlen(outbox)) === 0, 10_000, 'the outbox emptied');
      await until(() => receiver.received.length >= 1, 10_000, 'the event posted');
      const completed = async () =>
        (await redis.zcard(`${prefix}:${CALLER_EVENTS_QUEUE}:completed`)) === 1;
      await until(completed, 10_000, 'the job completed');
      // The relay's own add (after its takeover) was a no-op: one job, one post.
      const counts = await queue.getJobCounts();
      await queue.close();
      connection.disconnect();
      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(1);
      expect(receiver.received).toHaveLength(1);
      const [event] = receiver.received;
      expect(event!.headers['webhook-id']).toBe(eventId);
      expect(
        new Webhook(SECRET).verify(event!.rawBody, event!.headers as Record<string, string>),
      ).toMatchObject({
        data: { id: notificationId },
      });
    });
  });
});
