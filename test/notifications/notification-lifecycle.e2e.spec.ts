import { randomUUID } from 'node:crypto';
import type { DeliveryAttempt } from '../../src/contracts/notification-record';
import {
  INTERRUPTED_DETAIL,
  NotificationLifecycle,
  type RoundOwner,
} from '../../src/notifications/notification-lifecycle';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { RedisService } from '../../src/redis/redis.service';
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
    const o = { token: `${name}-${randomUUID()}`, lockKey: redis.key('test-lock', randomUUID()) };
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
      expect(await lifecycle.markAccepted(id, a, 'sendgrid', 'm-1', attempt('delivered'))).toBe(
        true,
      );
      expect(await lifecycle.startRound(id, b)).toEqual({ kind: 'final', status: 'delivered' });
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
      expect(await lifecycle.markFailed(id, a, { errorClass: 'rejected', detail: '400' })).toBe(
        false,
      );
      expect(await lifecycle.markWaiting(id, a, at)).toBe(false);
      expect(await lifecycle.markAccepted(id, a, 'sendgrid', 'm-a', attempt('delivered'))).toBe(
        false,
      );

      expect(await lifecycle.markAccepted(id, b, 'mailgun', 'm-b', attempt('delivered', 2))).toBe(
        true,
      );
      // Repeating the write after a lost reply is harmless.
      expect(await lifecycle.markAccepted(id, b, 'mailgun', 'm-b', attempt('delivered', 2))).toBe(
        true,
      );
      // Delivered is never left for an earlier state.
      expect(await lifecycle.markFailed(id, b, { errorClass: 'rejected', detail: 'late' })).toBe(
        false,
      );
      expect(await lifecycle.redrive(id)).toBe('not_failed');

      const record = (await records.get(id))!;
      expect(record.status).toBe('delivered');
      expect(record.providerMessageId).toBe('m-b');
      expect(record.attempts.map((x) => [x.outcome, x.ambiguous, x.round])).toEqual([
        ['failed', true, 1],
        ['delivered', false, 2],
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
});
