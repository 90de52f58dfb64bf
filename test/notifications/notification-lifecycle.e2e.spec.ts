import { randomUUID } from 'node:crypto';
import type { DeliveryAttempt } from '../../src/contracts/notification-record';
import {
  INTERRUPTED_DETAIL,
  NotificationLifecycle,
  type RoundOwner,
} from '../../src/notifications/notification-lifecycle';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { RedisService } from '../../src/redis/redis.service';
import { SuppressionList } from '../../src/suppression/suppression-list';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';

const attempt = (outcome: DeliveryAttempt['outcome'], round = 1): DeliveryAttempt => ({
  provider: 'sendgrid',
  at: new Date().toISOString(),
  outcome,
  latencyMs: 5,
  ambiguous: false,
  round,
});

describe(NotificationLifecycle.name, () => {
  let herald: RunningHerald;
  let lifecycle: NotificationLifecycle;
  let records: NotificationRecordsRepository;
  let redis: RedisService;

  beforeAll(async () => {
    herald = await startReadyHerald(testEnv({ HERALD_ROLE: 'api' }));
    lifecycle = herald.app.get(NotificationLifecycle);
    records = herald.app.get(NotificationRecordsRepository);
    redis = herald.app.get(RedisService);
  });
  afterAll(async () => herald?.close());

  /** An owner whose (simulated) BullMQ lock holds its token. */
  async function owner(name: string): Promise<RoundOwner> {
    const o = {
      token: `${name}-${randomUUID()}`,
      lockKey: redis.key('test-lock', randomUUID()),
      step: 0,
    };
    await redis.client.set(o.lockKey, o.token, 'PX', 60_000);
    return o;
  }
  async function newRecord(): Promise<string> {
    const id = randomUUID();
    await records.create({
      id,
      caller: 'test',
      message: { channel: 'sms', to: '+14155550100', text: 'hi' },
    });
    return id;
  }

  describe('when an owner is paused mid-call and another round finds the record', () => {
    it('the other round waits while the call’s lease runs', async () => {
      const id = await newRecord();
      const a = await owner('a');
      expect(await lifecycle.startRound(id, a)).toMatchObject({ kind: 'started', round: 1 });
      const at = new Date().toISOString();
      expect(
        await lifecycle.beginCall(id, a, { provider: 'sendgrid', round: 1, at, leaseMs: 60_000 }),
      ).toBe(true);
      const b = await owner('b');
      const found = await lifecycle.startRound(id, b);
      expect(found.kind).toBe('busy');
      // The late answer of the paused owner is still the owner's to write.
      expect(await lifecycle.markAccepted(id, a, 'email', 'sendgrid', 'm-1', attempt('sent'))).toBe(
        true,
      );
      expect(await lifecycle.startRound(id, b)).toEqual({ kind: 'final', status: 'sent' });
    });
  });

  describe('when the owner’s lease ran out and another round took over', () => {
    it('refuses every write and call of the stale owner, and records its call as ambiguous', async () => {
      const id = await newRecord();
      const a = await owner('a');
      await lifecycle.startRound(id, a);
      const at = new Date().toISOString();
      await lifecycle.beginCall(id, a, { provider: 'sendgrid', round: 1, at, leaseMs: 1 });
      await redis.client.del(a.lockKey);
      const b = await owner('b');
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await lifecycle.startRound(id, b)).toMatchObject({
        kind: 'started',
        round: 2,
        previous: 'sending',
        interrupted: 'sendgrid',
      });

      const call = { provider: 'sendgrid' as const, round: 1, at, leaseMs: 1_000 };
      expect(await lifecycle.beginCall(id, a, call)).toBe(false);
      expect(await lifecycle.appendAttempt(id, a, attempt('failed'), true)).toBe(false);
      expect(await lifecycle.markFailed(id, a, { errorClass: 'rejected', detail: '400' })).toEqual({
        kind: 'lost',
      });
      expect(await lifecycle.markWaiting(id, a, at)).toBe(false);
      expect(await lifecycle.markAccepted(id, a, 'email', 'sendgrid', 'm-a', attempt('sent'))).toBe(
        false,
      );

      expect(
        await lifecycle.markAccepted(id, b, 'email', 'mailgun', 'm-b', attempt('sent', 2)),
      ).toBe(true);
      // Repeating the write after a lost reply is harmless.
      expect(
        await lifecycle.markAccepted(id, b, 'email', 'mailgun', 'm-b', attempt('sent', 2)),
      ).toBe(true);
      // Sent is never left for an earlier state.
      expect(await lifecycle.markFailed(id, b, { errorClass: 'rejected', detail: 'late' })).toEqual(
        { kind: 'lost' },
      );
      expect(await lifecycle.redrive(id)).toBe('not_failed');

      const record = (await records.get(id))!;
      expect(record.status).toBe('sent');
      expect(record.providerMessageId).toBe('m-b');
      expect(record.attempts.map((x) => [x.outcome, x.ambiguous, x.round])).toEqual([
        ['failed', true, 1],
        ['sent', false, 2],
      ]);
      expect(record.attempts[0]!.detail).toBe(INTERRUPTED_DETAIL);
    });
  });

  describe('when the owner’s job is still alive on its lock', () => {
    it('another job’s round waits for it', async () => {
      const id = await newRecord();
      const a = await owner('a');
      await lifecycle.startRound(id, a);
      expect((await lifecycle.startRound(id, await owner('b'))).kind).toBe('busy');
      await redis.client.del(a.lockKey);
      expect(await lifecycle.startRound(id, await owner('c'))).toMatchObject({
        kind: 'started',
        round: 2,
      });
    });
  });

  describe('when a provider accepts a call', () => {
    async function started() {
      const id = await newRecord();
      const a = await owner('a');
      await lifecycle.startRound(id, a);
      return { id, a };
    }
    const attemptsKey = (id: string) => `${redis.key('ntf', id)}:attempts`;

    it('keeps the only attempt in the record, with no attempts list, and reads it back whole', async () => {
      const { id, a } = await started();
      const call = { ...attempt('sent'), latencyMs: 37 };
      expect(await lifecycle.markAccepted(id, a, 'email', 'sendgrid', 'm-1', call)).toBe(true);
      expect(await redis.client.exists(attemptsKey(id))).toBe(0);
      expect((await records.get(id))!.attempts).toEqual([call]);
      // A repeat after a lost reply writes nothing twice.
      expect(await lifecycle.markAccepted(id, a, 'email', 'sendgrid', 'm-1', call)).toBe(true);
      expect((await records.get(id))!.attempts).toEqual([call]);
    });

    it('appends it after the attempts before it, in order', async () => {
      const { id, a } = await started();
      const failed = { ...attempt('failed'), errorClass: 'unavailable' as const, detail: '503' };
      expect(await lifecycle.appendAttempt(id, a, failed, false)).toBe(true);
      const call = { ...attempt('sent'), provider: 'mailgun' as const };
      expect(await lifecycle.markAccepted(id, a, 'email', 'mailgun', 'm-2', call)).toBe(true);
      expect(await redis.client.llen(attemptsKey(id))).toBe(2);
      expect((await records.get(id))!.attempts).toEqual([failed, call]);
    });

    it('appends an attempt the record cannot stand for (another provider named), as before', async () => {
      const { id, a } = await started();
      const call = attempt('sent');
      expect(await lifecycle.markAccepted(id, a, 'email', 'mailgun', 'm-3', call)).toBe(true);
      expect(await redis.client.llen(attemptsKey(id))).toBe(1);
      expect((await records.get(id))!.attempts).toEqual([call]);
    });
  });

  describe('when provider events arrive for a sent notification', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    async function sent(channel: 'email' | 'chat' = 'email') {
      const id = await newRecord();
      const a = await owner('a');
      await lifecycle.startRound(id, a);
      const messageId = `<m-${randomUUID()}@herald.test>`;
      expect(
        await lifecycle.markAccepted(id, a, channel, 'mailgun', messageId, attempt('sent')),
      ).toBe(true);
      return { id, messageId };
    }

    it('finds the notification by the provider message id, with the record’s retention', async () => {
      const { id, messageId } = await sent();
      const key = redis.key('pmid', 'mailgun', messageId.slice(1, -1));
      expect(await redis.client.get(key)).toBe(id);
      const ttl = await redis.client.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(await redis.client.ttl(redis.key('ntf', id)));
    });

    it('a chat message is delivered on acceptance, with no index', async () => {
      const { id, messageId } = await sent('chat');
      expect((await records.get(id))!.status).toBe('delivered');
      expect(await redis.client.exists(redis.key('pmid', 'mailgun', messageId.slice(1, -1)))).toBe(
        0,
      );
    });

    it('moves forward only, records every event, and records a complaint after delivery', async () => {
      const { id, messageId } = await sent();
      const ev = (type: 'delivered' | 'bounced' | 'complained' | 'deferred', s: number) => ({
        type,
        provider: 'mailgun' as const,
        at: at(s),
      });
      expect(
        await lifecycle.applyEvent('mailgun', messageId, randomUUID(), ev('deferred', 1)),
      ).toEqual({
        kind: 'applied',
        notificationId: id,
        status: 'sent',
        moved: false,
        suppressed: 0,
      });
      expect(
        await lifecycle.applyEvent('mailgun', messageId, randomUUID(), ev('delivered', 5)),
      ).toMatchObject({
        status: 'delivered',
        moved: true,
      });
      // An older bounce, arriving late, overrides nothing.
      expect(
        await lifecycle.applyEvent('mailgun', messageId, randomUUID(), ev('bounced', 3)),
      ).toMatchObject({
        status: 'delivered',
        moved: false,
      });
      expect(
        await lifecycle.applyEvent('mailgun', messageId, randomUUID(), ev('complained', 9)),
      ).toMatchObject({
        status: 'complained',
        moved: true,
      });
      // Never back to delivered.
      expect(
        await lifecycle.applyEvent('mailgun', messageId, randomUUID(), ev('delivered', 10)),
      ).toMatchObject({
        status: 'complained',
        moved: false,
      });
      const record = (await records.get(id))!;
      expect(record.status).toBe('complained');
      expect(record.events!.map((e) => e.type)).toEqual([
        'deferred',
        'delivered',
        'bounced',
        'complained',
        'delivered',
      ]);
      expect(record.deliveredAt).toBe(at(5));
    });

    it('does not move an older event over a newer status', async () => {
      const { id, messageId } = await sent();
      await lifecycle.applyEvent('mailgun', messageId, randomUUID(), {
        type: 'bounced',
        provider: 'mailgun',
        at: at(20),
      });
      // A bounce is final: a delivered event (of any time) does not undo it.
      await lifecycle.applyEvent('mailgun', messageId, randomUUID(), {
        type: 'delivered',
        provider: 'mailgun',
        at: at(30),
      });
      expect((await records.get(id))!.status).toBe('bounced');
    });

    it('applies an event id once, with the suppression it brings', async () => {
      const { id, messageId } = await sent();
      const bounce = { type: 'bounced' as const, provider: 'mailgun' as const, at: at(1) };
      const list = herald.app.get(SuppressionList);
      const recipient = `${randomUUID()}@example.com`;
      const write = list.writeFor('email', [recipient], 'hard_bounce', 'mailgun', at(1));
      expect(await lifecycle.applyEvent('mailgun', messageId, 'ev-1', bounce, write)).toMatchObject(
        { kind: 'applied', moved: true, suppressed: 1 },
      );
      expect(await lifecycle.applyEvent('mailgun', messageId, 'ev-1', bounce, write)).toEqual({
        kind: 'duplicate',
        notificationId: id,
        status: 'bounced',
        step: 0,
      });
      expect((await records.get(id))!.events).toHaveLength(1);
      expect(await list.get('email', recipient)).toEqual({
        reason: 'hard_bounce',
        provider: 'mailgun',
        at: at(1),
        recipient: expect.stringMatching(/^.\*\*\*@example\.com$/),
      });
      // Another event for an address on the list already keeps its first entry.
      const later = list.writeFor('email', [recipient], 'complaint', 'mailgun', at(2));
      expect(
        await lifecycle.applyEvent('mailgun', messageId, 'ev-2', { ...bounce, at: at(2) }, later),
      ).toMatchObject({ kind: 'applied', suppressed: 0 });
      expect((await list.get('email', recipient))?.reason).toBe('hard_bounce');
    });

    it('answers unknown for a message id it never sent', async () => {
      expect(
        await lifecycle.applyEvent('sendgrid', 'nope', randomUUID(), {
          type: 'delivered',
          provider: 'sendgrid',
          at: at(1),
        }),
      ).toEqual({ kind: 'unknown' });
    });

    it('reads an accepted attempt written before `sent` existed as sent', async () => {
      const id = await newRecord();
      const old = { ...attempt('sent'), outcome: 'delivered' };
      await redis.client.rpush(`${redis.key('ntf', id)}:attempts`, JSON.stringify(old));
      expect((await records.get(id))!.attempts.map((a) => a.outcome)).toEqual(['sent']);
    });

    it('reads a record accepted before `sent` existed as delivered', async () => {
      const id = await newRecord();
      await redis.client.hset(redis.key('ntf', id), 'status', 'delivered', 'deliveredAt', at(1));
      const record = (await records.get(id))!;
      expect(record).toMatchObject({ status: 'delivered', deliveredAt: at(1) });
      expect(await lifecycle.startRound(id, await owner('b'))).toEqual({
        kind: 'final',
        status: 'delivered',
      });
    });
  });
});
