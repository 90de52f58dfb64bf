import { createHash } from 'node:crypto';
import { loadConfig } from '../../src/config/load-config';
import { type IdempotencyClaim, IdempotencyStore } from '../../src/idempotency/idempotency.store';
import { RedisService } from '../../src/redis/redis.service';
import { testEnv } from '../support/herald';

describe(IdempotencyStore.name, () => {
  let redis: RedisService;
  let store: IdempotencyStore;
  let n = 0;
  const claim = (over: Partial<IdempotencyClaim> = {}): IdempotencyClaim => ({
    scope: 'caller:alice',
    key: `key-${++n}`,
    fingerprint: 'fp-1',
    owner: `owner-${n}`,
    id: `id-${n}`,
    ...over,
  });

  beforeAll(async () => {
    const { config } = loadConfig(
      // A short retry schedule, which a 10-minute key retention must outlive.
      testEnv({
        HERALD_IDEMPOTENCY_TTL_SECONDS: '600',
        HERALD_RETRY_ATTEMPTS: '3',
        HERALD_RETRY_CAP_MS: '60000',
      }),
    );
    redis = new RedisService(config);
    store = new IdempotencyStore(redis, config);
    while (!(await redis.isReady())) await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(() => redis.onApplicationShutdown());

  describe('begin', () => {
    it('claims a key nobody holds', async () => {
      expect(await store.begin(claim())).toEqual({ kind: 'new' });
    });

    it('lets exactly one of many concurrent claims win', async () => {
      const key = `contended-${n}`;
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.begin(claim({ key, owner: `o-${i}` }))),
      );
      expect(outcomes.filter((o) => o.kind === 'new')).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === 'in_flight')).toHaveLength(49);
    });

    it('says reused for another fingerprint, before in_flight', async () => {
      const first = claim();
      await store.begin(first);
      expect(await store.begin({ ...first, owner: 'other', fingerprint: 'fp-2' })).toEqual({
        kind: 'reused',
      });
    });

    it('says owned, with the claimed id, to the same owner', async () => {
      const first = claim();
      await store.begin(first);
      expect(await store.begin({ ...first, id: 'a-new-id' })).toEqual({
        kind: 'owned',
        id: first.id,
        completed: false,
      });
    });

    it('keeps keys of different scopes apart', async () => {
      const first = claim();
      await store.begin(first);
      expect(await store.begin({ ...first, scope: 'caller:bob', owner: 'bob' })).toEqual({
        kind: 'new',
      });
    });
  });

  describe('complete', () => {
    it('makes later claims replay the stored answer with the first id', async () => {
      const first = claim();
      await store.begin(first);
      expect(await store.complete(first, '{"answer":1}')).toBe(true);
      expect(await store.begin({ ...first, owner: 'later', id: 'later-id' })).toEqual({
        kind: 'completed',
        id: first.id,
        answer: '{"answer":1}',
      });
      expect(await store.begin(first)).toEqual({ kind: 'owned', id: first.id, completed: true });
    });

    it('sets the configured retention', async () => {
      const first = claim();
      await store.begin(first);
      await store.complete(first, '{}');
      const ttl = await redis.client.ttl(store.entryKey(first.scope, first.key));
      expect(ttl).toBeGreaterThan(590);
      expect(ttl).toBeLessThanOrEqual(600);
    });

    it('refuses an owner whose claim expired and was taken by another', async () => {
      const first = claim();
      await store.begin(first);
      await redis.client.del(store.entryKey(first.scope, first.key));
      await store.begin({ ...first, owner: 'usurper' });
      expect(await store.complete(first, '{}')).toBe(false);
    });
  });

  describe('when the notification it created completes a key (a REST request: owner and id alike)', () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');

    it("keeps only the fingerprint's 32 bytes, the id and the answer, and answers as before", async () => {
      const first = claim({ fingerprint: sha('body'), owner: 'n-1', id: 'n-1' });
      await store.begin(first);
      expect(await store.complete(first, 'queued|email|1')).toBe(true);
      const entry = await redis.client.hgetallBuffer(store.entryKey(first.scope, first.key));
      expect(Object.keys(entry).sort()).toEqual(['answer', 'fp', 'id']);
      expect(entry.fp).toEqual(Buffer.from(first.fingerprint, 'hex'));
      expect(await store.begin({ ...first, owner: 'later', id: 'later-id' })).toEqual({
        kind: 'completed',
        id: 'n-1',
        answer: 'queued|email|1',
      });
      expect(await store.begin({ ...first, fingerprint: sha('other') })).toEqual({
        kind: 'reused',
      });
      expect(await store.begin(first)).toEqual({ kind: 'owned', id: 'n-1', completed: true });
      expect(await store.complete({ ...first, owner: 'later' }, '{}')).toBe(false);
      await store.release(first);
      expect((await store.begin({ ...first, owner: 'x' })).kind).toBe('completed');
    });

    it('reads an entry an earlier Herald wrote (fingerprint in hex, state, owner) the same', async () => {
      const first = claim({ fingerprint: sha('old body') });
      await redis.client.hset(store.entryKey(first.scope, first.key), {
        fp: first.fingerprint,
        state: 'completed',
        owner: first.owner,
        id: first.id,
        answer: 'queued|email|2026-12-01T19:57:50.416Z',
      });
      expect(await store.begin({ ...first, owner: 'later' })).toEqual({
        kind: 'completed',
        id: first.id,
        answer: 'queued|email|2026-12-01T19:57:50.416Z',
      });
      expect(await store.begin({ ...first, fingerprint: sha('other'), owner: 'later' })).toEqual({
        kind: 'reused',
      });
      expect(await store.begin(first)).toEqual({ kind: 'owned', id: first.id, completed: true });
    });
  });

  describe('release', () => {
    it('frees an in-flight claim of its owner', async () => {
      const first = claim();
      await store.begin(first);
      await store.release(first);
      expect(await store.begin({ ...first, owner: 'next' })).toEqual({ kind: 'new' });
    });

    it('leaves another owner’s claim and a completed claim alone', async () => {
      const first = claim();
      await store.begin(first);
      await store.release({ ...first, owner: 'someone-else' });
      expect((await store.begin({ ...first, owner: 'x' })).kind).toBe('in_flight');
      await store.complete(first, '{}');
      await store.release(first);
      expect((await store.begin({ ...first, owner: 'x' })).kind).toBe('completed');
    });
  });
});
