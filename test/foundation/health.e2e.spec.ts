import { type RunningHerald, startHerald, testEnv } from '../support/herald';
import { type RedisServer, freePort, startRedisServer } from '../support/redis-server';

describe('health endpoints', () => {
  describe('with Redis up', () => {
    let herald: RunningHerald;
    beforeAll(async () => {
      herald = await startHerald(testEnv());
    });
    afterAll(() => herald.close());

    it('answers live and ready with 200', async () => {
      expect((await fetch(`${herald.url}/health/live`)).status).toBe(200);
      const ready = await fetch(`${herald.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        status: 'ok',
        details: { redis: { status: 'up' } },
      });
    });

    it('answers an unknown route with a problem+json 404', async () => {
      const res = await fetch(`${herald.url}/nope`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ status: 404, code: 'not_found' });
    });
  });

  describe('when Redis is down at start', () => {
    // A worker that never reached Redis used to hold close() forever; the short test timeout
    // is the assertion.
    it(
      'still closes when asked to stop before Redis ever answered',
      { timeout: 8_000 },
      async () => {
        const port = await freePort();
        const herald = await startHerald(testEnv({ REDIS_URL: `redis://127.0.0.1:${port}` }));
        await herald.close();
      },
    );

    it('stays up, answers ready with 503 until Redis arrives, then 200', async () => {
      const port = await freePort();
      const herald = await startHerald(testEnv({ REDIS_URL: `redis://127.0.0.1:${port}` }));
      let redis: RedisServer | undefined;
      try {
        expect((await fetch(`${herald.url}/health/live`)).status).toBe(200);
        const down = await fetch(`${herald.url}/health/ready`);
        expect(down.status).toBe(503);
        expect(down.headers.get('retry-after')).toBe('1');
        expect(await down.json()).toMatchObject({
          code: 'not_ready',
          detail: 'Down: redis, queue.',
        });

        redis = await startRedisServer({ port });
        await vi.waitFor(
          async () => expect((await fetch(`${herald.url}/health/ready`)).status).toBe(200),
          { timeout: 10_000, interval: 100 },
        );
      } finally {
        await herald.close();
        await redis?.stop();
      }
    });
  });
});
