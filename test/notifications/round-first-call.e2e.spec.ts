import { randomUUID } from 'node:crypto';
import type { NotificationMessage } from '../../src/notifications/notification-message.schema';
import {
  type FirstCalls,
  INTERRUPTED_DETAIL,
  NotificationLifecycle,
  type RoundOwner,
} from '../../src/notifications/notification-lifecycle';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { RedisService } from '../../src/redis/redis.service';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';

const FIRST_CALLS: FirstCalls = [
  { channel: 'email', provider: 'sendgrid', leaseMs: 60_000 },
  { channel: 'sms', provider: 'twilio', leaseMs: 60_000 },
];

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
  async function newRecord(message: NotificationMessage): Promise<string> {
    const id = randomUUID();
    await records.create({ id, caller: 'test', message });
    return id;
  }
  const email = (extra: Partial<NotificationMessage> = {}) =>
    ({
      channel: 'email',
      to: ['ada@example.com'],
      subject: 'Hi',
      text: 'Hello',
      ...extra,
    }) as NotificationMessage;

  describe('when a round starts with the first call its owner would make', () => {
    it('begins that call in the same step: another round finds it in flight', async () => {
      const id = await newRecord(email());
      const a = await owner('a');
      const start = await lifecycle.startRound(id, a, FIRST_CALLS);
      expect(start).toMatchObject({
        kind: 'started',
        round: 1,
        begun: { provider: 'sendgrid', at: expect.any(String) },
      });
      // Exactly as after beginCall: the call's lease keeps every other round out, even once
      // the owner's lock is gone.
      await redis.client.del(a.lockKey);
      expect((await lifecycle.startRound(id, await owner('b'))).kind).toBe('busy');
    });

    it('leaves a message whose own first provider is another one to the owner', async () => {
      const id = await newRecord(email({ providers: ['mailgun', 'sendgrid'] }));
      const start = await lifecycle.startRound(id, await owner('a'), FIRST_CALLS);
      expect(start.kind).toBe('started');
      expect(start).not.toHaveProperty('begun');
    });

    it('begins nothing for a channel it was given no call for', async () => {
      const id = await newRecord(email());
      const start = await lifecycle.startRound(id, await owner('a'), [FIRST_CALLS[1]!]);
      expect(start).not.toHaveProperty('begun');
    });

    it('begins nothing for an owner that no longer holds its job’s lock', async () => {
      const id = await newRecord(email());
      const a = await owner('a');
      await redis.client.del(a.lockKey);
      const start = await lifecycle.startRound(id, a, FIRST_CALLS);
      expect(start.kind).toBe('started');
      expect(start).not.toHaveProperty('begun');
      expect(
        await lifecycle.beginCall(id, a, { provider: 'sendgrid', round: 1, at: 'x', leaseMs: 1 }),
      ).toBe(false);
    });
  });

  describe('when the owner of a begun first call stops before recording it', () => {
    it('the next owner records that call as ambiguous once its lease has run out', async () => {
      const id = await newRecord(email());
      const a = await owner('a');
      await lifecycle.startRound(id, a, [{ channel: 'email', provider: 'sendgrid', leaseMs: 1 }]);
      await redis.client.del(a.lockKey);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await lifecycle.startRound(id, await owner('b'))).toMatchObject({
        kind: 'started',
        round: 2,
        interrupted: 'sendgrid',
      });
      const record = (await records.get(id))!;
      expect(record.attempts).toEqual([
        expect.objectContaining({
          provider: 'sendgrid',
          ambiguous: true,
          round: 1,
          detail: INTERRUPTED_DETAIL,
        }),
      ]);
    });
  });

  describe('when a round starts with its job’s data to write', () => {
    /** A job hash as BullMQ keeps one, holding the producer's message. */
    async function jobHash(): Promise<string> {
      const key = redis.key('test-job', randomUUID());
      await redis.client.hset(key, 'name', 'send', 'data', '{"channel":"email"}');
      return key;
    }

    it('replaces the job’s data in the same step as the start', async () => {
      const id = await newRecord(email());
      const key = await jobHash();
      const start = await lifecycle.startRound(id, await owner('a'), [], { key, data: '{"n":1}' });
      expect(start.kind).toBe('started');
      expect(await redis.client.hgetall(key)).toEqual({ name: 'send', data: '{"n":1}' });
    });

    it('writes it also when the round cannot start now', async () => {
      const id = await newRecord(email());
      await lifecycle.startRound(id, await owner('a'), FIRST_CALLS);
      const key = await jobHash();
      const start = await lifecycle.startRound(id, await owner('b'), [], { key, data: '{"n":2}' });
      expect(start.kind).toBe('busy');
      expect(await redis.client.hget(key, 'data')).toBe('{"n":2}');
    });

    it('creates no job hash that is not there (a job removed meanwhile)', async () => {
      const id = await newRecord(email());
      const key = redis.key('test-job', randomUUID());
      await lifecycle.startRound(id, await owner('a'), [], { key, data: '{"n":3}' });
      expect(await redis.client.exists(key)).toBe(0);
    });
  });
});
