import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { type RunningHerald, startHerald, testEnv } from '../support/herald';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

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
      const redis = { child: undefined as ReturnType<typeof spawn> | undefined };
      try {
        expect((await fetch(`${herald.url}/health/live`)).status).toBe(200);
        const down = await fetch(`${herald.url}/health/ready`);
        expect(down.status).toBe(503);
        expect(down.headers.get('retry-after')).toBe('1');
        expect(await down.json()).toMatchObject({
          code: 'not_ready',
          detail: 'Down: redis, queue.',
        });

        redis.child = spawn(
          'redis-server',
          ['--port', String(port), '--bind', '127.0.0.1', '--save', ''],
          { stdio: 'ignore' },
        );
        const recovered = await waitFor(
          async () => (await fetch(`${herald.url}/health/ready`)).status === 200,
          10_000,
        );
        expect(recovered).toBe(true);
      } finally {
        await herald.close();
        redis.child?.kill('SIGTERM');
      }
    });
  });
});
