import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { NOTIFICATIONS_QUEUE } from '../../src/queue/queue.constants';
import { RedisService } from '../../src/redis/redis.service';
import { type RunningHerald, startHerald, startReadyHerald, testEnv } from '../support/herald';
import { type RedisServer, freePort, startRedisServer } from '../support/redis-server';
import { SMS, countRecords, expectProblem, post, request } from './notification-requests';

/** "Within about a second": Redis commands time out at 1 s; the rest is HTTP and scheduling. */
const PROMPT_MS = 1_500;

describe('the notifications API when Redis is unreachable', () => {
  let herald: RunningHerald;
  beforeAll(async () => {
    herald = await startHerald(
      testEnv({ HERALD_ROLE: 'api', REDIS_URL: `redis://127.0.0.1:${await freePort()}` }),
    );
  });
  afterAll(() => herald.close());

  it.each([
    ['a POST', () => post(`${herald.url}/v1/notifications`, SMS)],
    [
      'a POST with an Idempotency-Key',
      () => post(`${herald.url}/v1/notifications`, SMS, { 'idempotency-key': 'k-1' }),
    ],
    ['a GET', () => request(`${herald.url}/v1/notifications/0b7c6f4e-52a4-4f43-9d4b-1f3c2f1a9e77`)],
  ])('answers %s with 503 redis_unavailable and Retry-After, promptly', async (_, call) => {
    const answer = await call();
    expectProblem(answer, 503, 'redis_unavailable');
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.ms).toBeLessThan(PROMPT_MS);
  });

  it('stays up: liveness still answers 200', async () => {
    expect((await request(`${herald.url}/health/live`)).status).toBe(200);
  });
});

describe('the notifications API when Redis fails while it runs', () => {
  /** A redis-server of this suite's own, to freeze or kill without disturbing the run's. */
  let redis: RedisServer;
  let herald: RunningHerald;
  let probe: Redis;
  const send = (key: string) =>
    post(`${herald.url}/v1/notifications`, SMS, { 'idempotency-key': key });

  beforeAll(async () => {
    redis = await startRedisServer();
    herald = await startReadyHerald(testEnv({ HERALD_ROLE: 'api', REDIS_URL: redis.url }));
    probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
  });
  afterAll(async () => {
    probe.disconnect();
    await herald.close();
    await redis.stop('SIGKILL');
  });

  describe('when Redis hangs (connected, silent)', () => {
    it('answers 503 within about a second and leaves nothing half-written', async () => {
      expect((await send('before-the-hang')).status).toBe(202);

      // SIGSTOP freezes the server: connections stay open, nothing is answered.
      redis.child.kill('SIGSTOP');
      let answers;
      try {
        answers = await Promise.all([
          send('during-the-hang'),
          post(`${herald.url}/v1/notifications`, SMS),
        ]);
      } finally {
        redis.child.kill('SIGCONT');
      }
      for (const answer of answers) {
        expectProblem(answer, 503, 'redis_unavailable');
        expect(answer.headers.get('retry-after')).toBe('1');
        expect(answer.ms).toBeLessThan(PROMPT_MS);
      }

      // The writes that timed out run once Redis answers again, and so do their removals, sent
      // after them on the same connection (the queue's): a read there returns once all of them
      // have run.
      await herald.app.get(RedisService).client.ping();
      const queue = herald.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
      await (await queue.getBackend().client).get('ping-after-the-hang');
      await probe.connect();
      expect(await countRecords(herald.config)).toBe(1);
      const claims = await probe.keys(`${herald.config.queue.prefix}:idem:*`);
      expect(claims).toHaveLength(1);
      const retried = await send('during-the-hang');
      expect(retried.status).toBe(202);
      expect(retried.headers.get('idempotent-replayed')).toBeNull();
    });
  });

  describe('when Redis goes away and comes back', () => {
    it('answers 503 at once while it is away, then accepts again', async () => {
      await redis.stop('SIGKILL');
      const away = await send('while-away');
      expectProblem(away, 503, 'redis_unavailable');
      expect(away.ms).toBeLessThan(PROMPT_MS);

      redis = await startRedisServer({ port: redis.port });
      await vi.waitFor(async () => expect((await send('after-return')).status).toBe(202), {
        timeout: 10_000,
        interval: 50,
      });
    });
  });
});
