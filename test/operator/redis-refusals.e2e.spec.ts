import { Redis } from 'ioredis';
import { RedisService } from '../../src/redis/redis.service';
import { SMS, expectProblem, post, request } from '../notifications/notification-requests';
import { type RunningHerald, startHerald, startReadyHerald, testEnv } from '../support/herald';
import { type RedisServer, startRedisServer } from '../support/redis-server';
import { until } from '../support/until';

/** A value big enough that a few of them pass a 1 MB maxmemory. */
const FILLER = 'x'.repeat(256 * 1024);

/**
 * Sets a 1 MB maxmemory and writes until Redis refuses a write with OOM: from then on every
 * write Herald tries is refused too (noeviction). Rejects if Redis never refuses.
 */
async function fillUp(admin: Redis): Promise<void> {
  await admin.config('SET', 'maxmemory', '1mb');
  let refused: unknown;
  for (let i = 0; i < 64 && refused === undefined; i++) {
    await admin.set(`filler:${i}`, FILLER).catch((err: unknown) => (refused = err));
  }
  expect(String(refused)).toMatch(/^ReplyError: OOM /);
}

describe('Herald when Redis answers but refuses the work', () => {
  describe('when Redis is full (maxmemory 1mb, noeviction)', () => {
    let redis: RedisServer;
    let admin: Redis;
    let herald: RunningHerald;
    beforeAll(async () => {
      redis = await startRedisServer();
      herald = await startReadyHerald(testEnv({ HERALD_ROLE: 'api', REDIS_URL: redis.url }));
      admin = new Redis(redis.url, { maxRetriesPerRequest: 0 });
      await fillUp(admin);
    });
    afterAll(async () => {
      admin?.disconnect();
      await herald?.close();
      await redis?.stop('SIGKILL');
    });

    it('answers a POST with 503 redis_unavailable and Retry-After, not 500', async () => {
      for (const headers of [{}, { 'idempotency-key': 'full-1' }] as Record<string, string>[]) {
        const answer = await post(`${herald.url}/v1/notifications`, SMS, headers);
        expectProblem(answer, 503, 'redis_unavailable');
        expect(answer.headers.get('retry-after')).toBe('1');
        expect(answer.body.detail).toMatch(/out of memory/);
      }
    });

    it('says it is not ready while PING still answers', async () => {
      expect(await admin.ping()).toBe('PONG');
      const ready = await request(`${herald.url}/health/ready`);
      expectProblem(ready, 503, 'not_ready');
      expect(ready.body.detail).toBe('Down: redis.');
    });

    it('is ready and accepts again once Redis has room', async () => {
      await admin.config('SET', 'maxmemory', '0');
      expect((await request(`${herald.url}/health/ready`)).status).toBe(200);
      expect((await post(`${herald.url}/v1/notifications`, SMS)).status).toBe(202);
    });
  });

  describe('when REDIS_URL names a read-only replica', () => {
    let primary: RedisServer;
    let replica: RedisServer;
    let herald: RunningHerald;
    beforeAll(async () => {
      primary = await startRedisServer();
      replica = await startRedisServer({
        args: ['--replicaof', '127.0.0.1', String(primary.port)],
      });
      herald = await startHerald(testEnv({ HERALD_ROLE: 'api', REDIS_URL: replica.url }));
      const redis = herald.app.get(RedisService);
      await until(() => redis.client.status === 'ready', 5_000, 'Redis connected');
    });
    afterAll(async () => {
      await herald?.close();
      await replica?.stop('SIGKILL');
      await primary?.stop('SIGKILL');
    });

    it('answers a POST with 503 redis_unavailable and Retry-After, not 500', async () => {
      const answer = await post(`${herald.url}/v1/notifications`, SMS);
      expectProblem(answer, 503, 'redis_unavailable');
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(answer.body.detail).toMatch(/read only/);
    });

    it('says it is not ready, naming the read-only reason to the operator', async () => {
      expectProblem(await request(`${herald.url}/health/ready`), 503, 'not_ready');
      expect(await herald.app.get(RedisService).probe()).toEqual({
        ok: false,
        reason: expect.stringMatching(/\(read only\): READONLY /),
      });
    });
  });
});
