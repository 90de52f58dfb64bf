import { ProviderCooldowns } from '../../src/delivery/provider-cooldowns';
import { RedisService } from '../../src/redis/redis.service';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import { until } from '../support/until';
import { deliveryEnv } from './delivery-fixture';

describe(ProviderCooldowns.name, () => {
  let herald: RunningHerald;
  let cooldowns: ProviderCooldowns;
  let redis: RedisService;

  beforeAll(async () => {
    // No provider is called here: the simulator's address only has to be valid.
    herald = await startReadyHerald(deliveryEnv('http://127.0.0.1:9'));
    cooldowns = herald.app.get(ProviderCooldowns);
    redis = herald.app.get(RedisService);
  });
  afterAll(async () => {
    await herald?.close();
  });
  afterEach(() => vi.restoreAllMocks());

  describe('when many rounds read the cool-downs at once', () => {
    it('asks Redis once for all of them', async () => {
      const order = ['sendgrid', 'mailgun', 'ses'] as const;
      // Past the reuse period of any earlier read.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const mget = vi.spyOn(redis.client, 'mget');
      const reads = await Promise.all(Array.from({ length: 50 }, () => cooldowns.untilAll(order)));
      expect(mget).toHaveBeenCalledTimes(1);
      expect(reads.every((r) => r.size === 0)).toBe(true);
    });
  });

  describe('when another worker starts a cool-down', () => {
    it('sees it once its own read has aged out', async () => {
      await cooldowns.untilAll(['mailgun']);
      const until_ = Date.now() + 60_000;
      // What another worker's `start` leaves in Redis.
      await redis.client.set(redis.key('cooldown', 'mailgun'), String(until_), 'PX', 60_000);
      await until(
        async () => (await cooldowns.until('mailgun')) === until_,
        2_000,
        'the cool-down seen',
      );
    });
  });

  describe('when this worker starts a cool-down', () => {
    it('sees it at once, without reading Redis again', async () => {
      await cooldowns.untilAll(['ses']);
      const rest = await cooldowns.start('ses', 30_000);
      const mget = vi.spyOn(redis.client, 'mget');
      const until_ = await cooldowns.until('ses');
      expect(until_).toBeGreaterThan(Date.now() + rest - 1_000);
      expect(mget).not.toHaveBeenCalled();
    });
  });
});
