import { CHANNEL_KINDS } from '../../src/config/config.schema';
import type { NotificationSummary } from '../../src/notifications/notification-records.repository';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { NotificationSearch } from '../../src/notifications/notification-search';
import { RedisService } from '../../src/redis/redis.service';
import { type RunningHerald, startReadyHerald, testEnv, uniquePrefix } from '../support/herald';
import { type PrivateRedis, startPrivateRedis } from '../support/test-redis';
import { EMAIL, post, request, SMS } from './notification-requests';

const KEYS = {
  a: 'a-key-0123456789abcdef',
  b: 'b-key-0123456789abcdef',
  ops: 'ops-key-0123456789abcdef',
  small: 'small-key-0123456789abcdef',
  big: 'big-key-0123456789abcdef',
  tied: 'tied-key-0123456789abcdef',
};
const API_KEYS = Object.entries(KEYS)
  .map(([name, key]) => `${name === 'ops' ? 'ops+admin' : name}:${key}`)
  .join(',');

interface Page {
  items: NotificationSummary[];
  nextCursor?: string;
}

describe(`${NotificationSearch.name}`, () => {
  let redis: PrivateRedis;
  let herald: RunningHerald;
  const list = async (key: string, query = ''): Promise<{ status: number; body: Page }> => {
    const answer = await request(`${herald.url}/v1/notifications${query}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return { status: answer.status, body: answer.body as unknown as Page };
  };
  const send = async (key: string, body: unknown, idempotencyKey?: string) => {
    const answer = await post(`${herald.url}/v1/notifications`, body, {
      authorization: `Bearer ${key}`,
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    });
    expect(answer.status).toBe(202);
    return answer.body as { id: string; createdAt: string };
  };

  beforeAll(async () => {
    // A Redis of its own: the command counts below are this spec's alone.
    redis = await startPrivateRedis();
    herald = await startReadyHerald(
      testEnv({
        ...redis.env(uniquePrefix()),
        HERALD_ROLE: 'api',
        HERALD_AUTH: 'api-key',
        HERALD_API_KEYS: API_KEYS,
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await herald?.close();
    await redis?.stop();
  });

  describe("when two callers' notifications are listed", () => {
    const ofA: string[] = [];
    let keyed: string;
    let cancelled: string;

    beforeAll(async () => {
      for (let i = 0; i < 3; i++) ofA.push((await send(KEYS.a, { ...SMS, text: `a ${i}` })).id);
      ofA.push((await send(KEYS.a, EMAIL)).id);
      keyed = (await send(KEYS.a, { ...EMAIL, subject: 'keyed' }, 'list-key')).id;
      ofA.push(keyed);
      await send(KEYS.b, SMS);
      await send(KEYS.b, { ...EMAIL, subject: 'b' }, 'list-key');
      cancelled = ofA[1]!;
      const answer = await request(`${herald.url}/v1/notifications/${cancelled}/cancel`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.a}` },
      });
      expect(answer.status).toBe(200);
    });

    it("shows a caller its own, newest first, and never another caller's", async () => {
      const { status, body } = await list(KEYS.a);
      expect(status).toBe(200);
      expect(body.items.map((r) => r.id)).toEqual([...ofA].reverse());
      expect(body.items.every((r) => r.caller === 'a')).toBe(true);
      expect(body.nextCursor).toBeUndefined();
      expect(body.items[0]).not.toHaveProperty('attempts');
      const ofB = await list(KEYS.b);
      expect(ofB.body.items.map((r) => r.caller)).toEqual(['b', 'b']);
    });

    it('follows a status change made by the lifecycle', async () => {
      expect((await list(KEYS.a, '?status=cancelled')).body.items.map((r) => r.id)).toEqual([
        cancelled,
      ]);
      const queued = (await list(KEYS.a, '?status=queued')).body.items.map((r) => r.id);
      expect(queued).toHaveLength(4);
      expect(queued).not.toContain(cancelled);
    });

    it('combines filters', async () => {
      expect((await list(KEYS.a, '?channel=email')).body.items).toHaveLength(2);
      const smsQueued = (await list(KEYS.a, '?status=queued&channel=sms')).body.items;
      expect(smsQueued.map((r) => r.id)).toEqual([ofA[2], ofA[0]]);
      const created = (await list(KEYS.a)).body.items.map((r) => r.createdAt);
      const window = `?since=${created[3]}&until=${created[1]}&channel=sms`;
      const inWindow = (await list(KEYS.a, window)).body.items;
      expect(inWindow.map((r) => r.id)).toEqual(expect.arrayContaining([ofA[2], ofA[1]]));
      for (const r of inWindow) {
        expect(r.channel).toBe('sms');
        expect(r.createdAt >= created[3]! && r.createdAt <= created[1]!).toBe(true);
      }
    });

    it('finds a notification by its idempotency key, in the caller’s own key space', async () => {
      expect((await list(KEYS.a, '?idempotencyKey=list-key')).body.items.map((r) => r.id)).toEqual([
        keyed,
      ]);
      const ofB = (await list(KEYS.b, '?idempotencyKey=list-key')).body.items;
      expect(ofB).toHaveLength(1);
      expect(ofB[0]!.caller).toBe('b');
    });

    it('pages with a cursor, each notification once', async () => {
      const seen: string[] = [];
      let query = '?limit=2';
      for (let pages = 0; pages < 5; pages++) {
        const { body } = await list(KEYS.a, query);
        seen.push(...body.items.map((r) => r.id));
        if (!body.nextCursor) break;
        query = `?limit=2&cursor=${body.nextCursor}`;
      }
      expect(seen).toEqual([...ofA].reverse());
    });

    it("shows an admin every caller's, or one caller's with caller=", async () => {
      expect((await list(KEYS.ops)).body.items.map((r) => r.caller).sort()).toEqual([
        ...Array(5).fill('a'),
        'b',
        'b',
      ]);
      expect((await list(KEYS.ops, '?caller=b')).body.items.map((r) => r.caller)).toEqual([
        'b',
        'b',
      ]);
    });

    it('refuses caller= from a key that is not admin, and bad parameters, naming them', async () => {
      for (const [query, field] of [
        ['?caller=b', 'caller'],
        ['?status=lost', 'status'],
        ['?limit=0', 'limit'],
        ['?since=yesterday', 'since'],
        ['?cursor=abc', 'cursor'],
        ['?colour=blue', 'colour'],
      ] as const) {
        const answer = await request(`${herald.url}/v1/notifications${query}`, {
          headers: { authorization: `Bearer ${KEYS.a}` },
        });
        expect({ query, status: answer.status }).toEqual({ query, status: 400 });
        expect((answer.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
      }
    });
  });

  describe('when notifications of several channels were created in the same millisecond', () => {
    const ids: string[] = [];

    beforeAll(async () => {
      const records = herald.app.get(NotificationRecordsRepository);
      const createdAt = '2026-02-01T00:00:00.000Z';
      for (let i = 0; i < 7; i++) {
        const id = crypto.randomUUID();
        ids.push(id);
        await records.create({
          id,
          caller: 'tied',
          message:
            i % 2 ? { ...SMS, text: `t ${i}` } : { ...EMAIL, to: [...EMAIL.to], subject: `t ${i}` },
          createdAt,
        });
      }
    });

    it('pages through them in one order, each once, whatever page size', async () => {
      // One sorted set would order equal scores by member, descending: so does the merge.
      const expected = [...ids].sort().reverse();
      for (const limit of [1, 2, 3]) {
        const seen: string[] = [];
        let query = `?limit=${limit}`;
        for (let pages = 0; pages < 10; pages++) {
          const { body } = await list(KEYS.tied, query);
          seen.push(...body.items.map((r) => r.id));
          if (!body.nextCursor) break;
          query = `?limit=${limit}&cursor=${body.nextCursor}`;
        }
        expect({ limit, seen }).toEqual({ limit, seen: expected });
      }
    });
  });

  describe('when a caller has 20,000 notifications', () => {
    /** Calls of the commands a page may use, from INFO commandstats. */
    const searchCalls = async (): Promise<Record<string, number>> => {
      const counts = await redis.commandCounts();
      return Object.fromEntries(
        ['zrange', 'hgetall', 'hget', 'zrem', 'scan', 'keys']
          .filter((c) => counts[c] !== undefined)
          .map((c) => [c, counts[c]!]),
      );
    };
    const costOfPage = async (key: string, query: string) => {
      const before = await searchCalls();
      const { status, body } = await list(key, query);
      expect(status).toBe(200);
      const after = await searchCalls();
      const delta = Object.fromEntries(
        Object.entries(after)
          .map(([c, n]) => [c, n - (before[c] ?? 0)] as const)
          .filter(([, n]) => n > 0),
      );
      return { body, delta };
    };

    beforeAll(async () => {
      const records = herald.app.get(NotificationRecordsRepository);
      const start = Date.parse('2026-01-01T00:00:00Z');
      // 200 writes at a time: a thousand queued at once can outwait Herald's 1 s command
      // timeout on a loaded machine (on a cluster, where each goes through the slot map, above all).
      const write = async (caller: string, count: number) => {
        for (let from = 0; from < count; from += 200) {
          await Promise.all(
            Array.from({ length: Math.min(200, count - from) }, (_, i) =>
              records.create({
                id: crypto.randomUUID(),
                caller,
                message: { channel: 'sms', to: '+14155550100', text: `n ${from + i}` },
                createdAt: new Date(start + (from + i) * 1_000).toISOString(),
              }),
            ),
          );
        }
      };
      await write('small', 100);
      await write('big', 20_000);
    }, 120_000);

    it('reads a page of 50 with the same Redis calls as among 100', async () => {
      // One ZRANGE per index read, and each index is kept per notification shard.
      const shards = herald.app.get(RedisService).shards.count;
      const small = await costOfPage(KEYS.small, '?limit=50');
      const big = await costOfPage(KEYS.big, '?limit=50');
      expect(small.body.items).toHaveLength(50);
      expect(big.body.items).toHaveLength(50);
      expect(big.delta).toEqual(small.delta);
      expect(big.delta).toEqual({ zrange: shards * CHANNEL_KINDS.length, hgetall: 50 });

      // A status or a channel names one index (per shard).
      const queued = await costOfPage(KEYS.big, '?limit=50&status=queued');
      expect(queued.delta).toEqual({ zrange: shards, hgetall: 50 });
      expect(queued.body.items.map((r) => r.id)).toEqual(big.body.items.map((r) => r.id));

      const next = await costOfPage(KEYS.big, `?limit=50&cursor=${big.body.nextCursor}`);
      expect(next.delta).toEqual({ zrange: shards * CHANNEL_KINDS.length, hgetall: 50 });
      expect(Date.parse(next.body.items[0]!.createdAt)).toBeLessThan(
        Date.parse(big.body.items[49]!.createdAt),
      );
    });
  });
});
