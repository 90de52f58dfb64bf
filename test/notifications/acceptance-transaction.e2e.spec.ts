import { Redis } from 'ioredis';
import { NotificationAcceptanceStore } from '../../src/notifications/notification-acceptance.store';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';
import { SMS, post } from './notification-requests';

describe(NotificationAcceptanceStore.name, () => {
  let herald: RunningHerald;
  let redis: Redis;
  const keysOf = (kind: string) => redis.keys(`${herald.config.queue.prefix}:${kind}:*`);

  beforeAll(async () => {
    // The refused add is logged as the 500 it is; this spec expects it.
    herald = await startReadyHerald(testEnv({ HERALD_ROLE: 'api', LOG_LEVEL: 'silent' }));
    redis = new Redis(herald.config.redis.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await herald?.close();
  });

  describe("when BullMQ's add fails inside the acceptance's transaction", () => {
    it('keeps neither the record nor the key, so the same key is accepted anew later', async () => {
      // BullMQ counts every job it adds in this key: a value INCR refuses fails its script.
      const counter = `${herald.config.queue.prefix}:${herald.config.queue.name}:id`;
      await redis.set(counter, 'not a number');
      const send = () =>
        post(`${herald.url}/v1/notifications`, SMS, { 'idempotency-key': 'job-refused-1' });

      const refused = await send();
      expect(refused.status).toBeGreaterThanOrEqual(500);
      expect(await keysOf('ntf')).toEqual([]);
      expect(await keysOf('idem')).toEqual([]);

      await redis.del(counter);
      const accepted = await send();
      expect(accepted.status).toBe(202);
      expect(accepted.headers.get('idempotent-replayed')).toBeNull();
      expect(await keysOf('ntf')).toHaveLength(1);
    });
  });
});
