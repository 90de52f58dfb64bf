import { NotificationsController } from '../../src/notifications/notifications.controller';
import { Redis } from 'ioredis';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';
import { until } from '../support/until';
import { EMAIL, post, request, SMS } from './notification-requests';

interface BatchResult {
  index: number;
  status: number;
  id?: string;
  replayed?: true;
  problem?: { code: string; errors?: { field: string }[] };
}

describe(`${NotificationsController.name} batch`, () => {
  let herald: RunningHerald;
  const batch = async (items: unknown[]) => {
    const answer = await post(`${herald.url}/v1/notifications/batch`, { items });
    return {
      status: answer.status,
      body: answer.body,
      results: answer.body.results as BatchResult[],
    };
  };

  beforeAll(async () => {
    herald = await startReadyHerald(testEnv({ HERALD_ROLE: 'api' }));
  });
  afterAll(() => herald?.close());

  describe('when 100 messages hold 3 bad ones', () => {
    it('accepts the 97 and answers a problem for each of the 3, in one request', async () => {
      const bad = new Map<number, unknown>([
        [7, { ...SMS, to: '555-0100' }],
        [50, { channel: 'pager', to: 'x', text: 'y' }],
        [99, { ...EMAIL, idempotencyKey: 'é' }],
      ]);
      const items = Array.from(
        { length: 100 },
        (_, i) => bad.get(i) ?? { ...SMS, text: `message ${i}` },
      );
      const { status, results } = await batch(items);
      expect(status).toBe(200);
      expect(results.map((r) => r.index)).toEqual(items.map((_, i) => i));
      const accepted = results.filter((r) => r.status === 202);
      expect(accepted).toHaveLength(97);
      expect(new Set(accepted.map((r) => r.id)).size).toBe(97);
      expect(results.filter((r) => r.status !== 202)).toEqual([
        {
          index: 7,
          status: 400,
          problem: expect.objectContaining({
            code: 'validation_failed',
            errors: [expect.objectContaining({ field: 'to' })],
          }),
        },
        {
          index: 50,
          status: 400,
          problem: expect.objectContaining({ code: 'validation_failed' }),
        },
        {
          index: 99,
          status: 400,
          problem: expect.objectContaining({
            code: 'invalid_idempotency_key',
            errors: [expect.objectContaining({ field: 'idempotencyKey' })],
          }),
        },
      ]);
      // Each accepted item is a notification of its own, readable as one sent alone.
      for (const r of [accepted[0]!, accepted[96]!]) {
        const record = await request(`${herald.url}/v1/notifications/${r.id}`);
        expect(record.body).toMatchObject({ id: r.id, status: 'queued', channel: 'sms' });
      }
    });
  });

  describe('when its items go to suppressed and clean recipients of two channels', () => {
    it("screens each item on its own, reading each channel's list once for the whole batch", async () => {
      const admin = (body: unknown) =>
        request(`${herald.url}/v1/suppressions`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await admin({ channel: 'sms', recipient: '+14155550199' })).status).toBe(201);
      expect((await admin({ channel: 'email', recipient: 'gone@example.com' })).status).toBe(201);
      const items = [
        ...Array.from({ length: 20 }, (_, i) => ({ ...SMS, text: `message ${i}` })),
        { ...SMS, to: '+14155550199' },
        { ...EMAIL, to: ['ada@example.com'], cc: ['gone@example.com'] },
        { ...EMAIL, to: ['gone@example.com'] },
        ...Array.from({ length: 20 }, (_, i) => ({ ...EMAIL, subject: `order ${i}` })),
      ];

      const monitor = await new Redis(herald.config.redis.url).monitor();
      const lookups: string[][] = [];
      const listPrefix = `${herald.config.queue.prefix}:supp:`;
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args[0]?.toLowerCase() === 'hmget' && args[1]?.startsWith(listPrefix)) {
          lookups.push(args);
        }
      });
      try {
        const { status, results } = await batch(items);
        expect(status).toBe(200);
        expect(results.filter((r) => r.status === 202)).toHaveLength(41);
        expect(results[20]).toMatchObject({
          status: 422,
          problem: { code: 'recipient_suppressed', errors: [{ field: 'to' }] },
        });
        expect(results[21]).toMatchObject({ status: 202, suppressed: ['g***@example.com'] });
        expect(results[22]).toMatchObject({
          status: 422,
          problem: { code: 'recipient_suppressed', errors: [{ field: 'to' }] },
        });
        await until(async () => lookups.length >= 2, 2_000, 'both lookups seen');
      } finally {
        monitor.disconnect();
      }
      // One HMGET per channel, naming every recipient of that channel's 21 or 22 items.
      expect(lookups.map((args) => [args[1], args.length - 2]).sort()).toEqual([
        [`${listPrefix}email`, 23],
        [`${listPrefix}sms`, 21],
      ]);
    });
  });

  describe('when it holds 50 messages', () => {
    it('writes them in one Redis transaction, each notification whole', async () => {
      const monitor = await new Redis(herald.config.redis.url).monitor();
      const seen: { source: string; args: string[] }[] = [];
      monitor.on('monitor', (_time: string, args: string[], source: string) =>
        seen.push({ source, args }),
      );
      const ownKey = `${herald.config.queue.prefix}:ntf:`;
      let results: BatchResult[];
      try {
        ({ results } = await batch(
          Array.from({ length: 50 }, (_, i) => ({ ...SMS, text: `one of 50: ${i}` })),
        ));
        await until(
          async () =>
            seen.some((c) => c.args[0]?.toLowerCase() === 'exec') &&
            seen.filter((c) => c.args.some((a) => a.startsWith(ownKey))).length >= 50,
          2_000,
          'the transaction seen',
        );
      } finally {
        monitor.disconnect();
      }
      expect(results.filter((r) => r.status === 202)).toHaveLength(50);
      // The connection that wrote this Herald's records: the queue's.
      const source = seen.find(
        (c) => c.source !== 'lua' && c.args.some((a) => a.startsWith(ownKey)),
      )!.source;
      const verbs = seen.filter((c) => c.source === source).map((c) => c.args[0]!.toLowerCase());
      expect(verbs.filter((v) => v === 'multi')).toHaveLength(1);
      expect(verbs.filter((v) => v === 'exec')).toHaveLength(1);
      for (const r of [results[0]!, results[49]!]) {
        const record = await request(`${herald.url}/v1/notifications/${r.id}`);
        expect(record.body).toMatchObject({ id: r.id, status: 'queued', channel: 'sms' });
      }
    });
  });

  describe('when items carry idempotency keys', () => {
    it('replays a key accepted before, and refuses one reused with another body', async () => {
      const first = await batch([{ ...SMS, idempotencyKey: 'batch-key-1' }]);
      const id = first.results[0]!.id;
      expect(first.results[0]).toMatchObject({ status: 202, id: expect.any(String) });

      const again = await batch([
        { ...SMS, idempotencyKey: 'batch-key-1' },
        { ...SMS, text: 'another body', idempotencyKey: 'batch-key-1' },
      ]);
      expect(again.results[0]).toEqual({ index: 0, status: 202, id, replayed: true });
      expect(again.results[1]).toMatchObject({
        index: 1,
        status: 422,
        problem: { code: 'idempotency_key_reused' },
      });
    });

    it('shares the key space of the Idempotency-Key header', async () => {
      const single = await post(`${herald.url}/v1/notifications`, SMS, {
        'idempotency-key': 'batch-key-2',
      });
      const { results } = await batch([{ ...SMS, idempotencyKey: 'batch-key-2' }]);
      expect(results[0]).toMatchObject({ status: 202, id: single.body.id, replayed: true });
    });
  });

  describe('when the envelope is wrong', () => {
    it.each([
      ['no items', {}],
      ['an empty list', { items: [] }],
      ['more than HERALD_BATCH_MAX items', { items: Array.from({ length: 101 }, () => SMS) }],
      ['items that is not a list', { items: SMS }],
    ])('answers 400 naming items for %s', async (_, body) => {
      const answer = await post(`${herald.url}/v1/notifications/batch`, body);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
      expect((answer.body.errors as { field: string }[]).map((e) => e.field)).toContain('items');
    });
  });
});
