import { fingerprint } from '../../src/idempotency/canonical-json';
import { IdempotencyStore, IN_FLIGHT_TTL_SECONDS } from '../../src/idempotency/idempotency.store';
import {
  EMAIL,
  SMS,
  countJobs,
  countRecords,
  expectProblem,
  openQueue,
  post,
  type ProducerQueues,
} from '../notifications/notification-requests';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';
import { keysOnEveryShard, openRedis } from '../support/test-redis';
import type { RedisClient } from '../../src/redis/redis-client.factory';

describe('Idempotency-Key over REST', () => {
  let herald: RunningHerald;
  let queue: ProducerQueues;
  let redis: RedisClient;
  let n = 0;
  /** A key no other test of this file uses. */
  const freshKey = () => `order-${++n}-${Date.now()}`;
  const send = (body: unknown, key?: string) =>
    post(
      `${herald.url}/v1/notifications`,
      body,
      key === undefined ? {} : { 'idempotency-key': key },
    );

  beforeAll(async () => {
    herald = await startReadyHerald(
      testEnv({
        HERALD_ROLE: 'api',
        HERALD_IDEMPOTENCY_TTL_SECONDS: '7200',
        // Six rounds of retries last at most about 1.5 h, within the key's 2 h.
        HERALD_RETRY_ATTEMPTS: '6',
      }),
    );
    queue = openQueue(herald.config);
    redis = openRedis(herald.config);
  });
  afterAll(async () => {
    redis.disconnect();
    await queue.close();
    await herald.close();
  });

  describe('when the same key comes again with the same body', () => {
    it('replays the original answer and id with Idempotent-Replayed: true, sending nothing again', async () => {
      const key = freshKey();
      const first = await send(EMAIL, key);
      const jobsAfterFirst = await countJobs(queue);
      const recordsAfterFirst = await countRecords(herald.config);

      const again = await send(EMAIL, key);
      expect(first.status).toBe(202);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(again.status).toBe(202);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('location')).toBe(`/v1/notifications/${first.body.id}`);
      expect(await countJobs(queue)).toBe(jobsAfterFirst);
      expect(await countRecords(herald.config)).toBe(recordsAfterFirst);
    });

    it('treats a body with its keys in another order as the same body', async () => {
      const key = freshKey();
      const first = await send({ channel: 'sms', to: '+14155550100', text: 'hi' }, key);
      const again = await send({ text: 'hi', to: '+14155550100', channel: 'sms' }, key);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.id).toBe(first.body.id);
    });
  });

  describe('when the same key comes with another body', () => {
    it('answers 422 idempotency_key_reused and keeps the first notification', async () => {
      const key = freshKey();
      const first = await send(SMS, key);
      const other = await send({ ...SMS, text: 'another text' }, key);
      expectProblem(other, 422, 'idempotency_key_reused');
      const again = await send(SMS, key);
      expect(again.body.id).toBe(first.body.id);
    });
  });

  describe('while the first request with the key is still being accepted', () => {
    it('answers 409 idempotency_key_in_flight with Retry-After', async () => {
      const key = freshKey();
      // Another API process has claimed the key and not finished accepting yet.
      await herald.app.get(IdempotencyStore).begin({
        scope: 'caller:anonymous',
        key,
        fingerprint: fingerprint(SMS),
        owner: 'another-process',
        id: 'f0f0f0f0-0000-4000-8000-000000000000',
      });
      const answer = await send(SMS, key);
      expectProblem(answer, 409, 'idempotency_key_in_flight');
      expect(answer.headers.get('retry-after')).toBe('1');
    });
  });

  describe('retention', () => {
    it('keeps a completed key for HERALD_IDEMPOTENCY_TTL_SECONDS', async () => {
      const key = freshKey();
      await send(SMS, key);
      const entry = herald.app.get(IdempotencyStore).entryKey('caller:anonymous', key);
      const ttl = await redis.ttl(entry);
      expect(ttl).toBeGreaterThan(7000);
      expect(ttl).toBeLessThanOrEqual(7200);
    });

    it('stores a digest of the key, never the key itself', async () => {
      const key = `secret-looking-${freshKey()}`;
      await send(SMS, key);
      const keys = await keysOnEveryShard(redis, herald.config, 'idem:*');
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.some((k) => k.includes(key))).toBe(false);
    });

    it('holds an in-flight claim only briefly, so a crashed acceptance frees the key', async () => {
      const key = freshKey();
      const store = herald.app.get(IdempotencyStore);
      await store.begin({
        scope: 'caller:anonymous',
        key,
        fingerprint: fingerprint(SMS),
        owner: 'crashed-process',
        id: 'f0f0f0f0-0000-4000-8000-000000000001',
      });
      const ttl = await redis.ttl(store.entryKey('caller:anonymous', key));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(IN_FLIGHT_TTL_SECONDS);
    });
  });

  describe('when 200 requests share 20 keys at once', () => {
    it('creates exactly 20 notifications and 20 deliver jobs; the rest are replays or 409s', async () => {
      const recordsBefore = await countRecords(herald.config);
      const jobsBefore = await countJobs(queue);
      const keys = Array.from({ length: 20 }, () => freshKey());
      const bodyOf = (i: number) => ({ ...SMS, text: `message ${i % 20}` });

      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => send(bodyOf(i), keys[i % 20])),
      );

      const statuses = answers.map((a) => a.status);
      expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
      const firsts = answers.filter(
        (a) => a.status === 202 && a.headers.get('idempotent-replayed') === null,
      );
      expect(firsts).toHaveLength(20);
      // Every 202 of one key names the same notification.
      for (let k = 0; k < 20; k++) {
        const ids = new Set(
          answers.filter((a, i) => i % 20 === k && a.status === 202).map((a) => a.body.id),
        );
        expect(ids.size).toBe(1);
      }
      for (const conflict of answers.filter((a) => a.status === 409)) {
        expectProblem(conflict, 409, 'idempotency_key_in_flight');
      }
      expect((await countRecords(herald.config)) - recordsBefore).toBe(20);
      expect((await countJobs(queue)) - jobsBefore).toBe(20);
    });
  });
});

describe('Idempotency-Key scope', () => {
  let herald: RunningHerald;
  beforeAll(async () => {
    herald = await startReadyHerald(
      testEnv({
        HERALD_ROLE: 'api',
        HERALD_AUTH: undefined,
        HERALD_API_KEYS: 'alice:alice-key-0123456789abcdef,bob:bob-key-0123456789abcdef',
      }),
    );
  });
  afterAll(() => herald.close());

  it('is per caller: two callers using the same key get two notifications', async () => {
    const as = (who: string) =>
      post(`${herald.url}/v1/notifications`, SMS, {
        authorization: `Bearer ${who}-key-0123456789abcdef`,
        'idempotency-key': 'shared-key',
      });
    const alice = await as('alice');
    const bob = await as('bob');
    expect([alice.status, bob.status], JSON.stringify(alice.body)).toEqual([202, 202]);
    expect(bob.headers.get('idempotent-replayed')).toBeNull();
    expect(bob.body.id).not.toBe(alice.body.id);
    expect((await as('alice')).body.id).toBe(alice.body.id);
  });
});
