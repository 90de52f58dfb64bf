import { randomUUID } from 'node:crypto';
import type { ProviderEventType } from '../../src/contracts/notification-record';
import { NotificationLifecycle } from '../../src/notifications/notification-lifecycle';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { RedisService } from '../../src/redis/redis.service';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

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

  /** A sent e-mail to ada (to), bob (cc) and cy (bcc), its provider message id. */
  async function sent(): Promise<{ id: string; messageId: string }> {
    const id = randomUUID();
    await records.create({
      id,
      caller: 'test',
      message: {
        channel: 'email',
        to: ['ada@example.com'],
        cc: ['Bob <bob@example.com>'],
        bcc: ['cy@example.com'],
        subject: 'Hi',
        text: 'hi',
      },
    });
    const owner = { token: randomUUID(), lockKey: redis.key('test-lock', randomUUID()), step: 0 };
    await redis.client.set(owner.lockKey, owner.token, 'PX', 60_000);
    await lifecycle.startRound(id, owner);
    const messageId = `m-${randomUUID()}`;
    await lifecycle.markAccepted(id, owner, 'email', 'sendgrid', messageId, {
      provider: 'sendgrid',
      at: at(0),
      outcome: 'sent',
      latencyMs: 5,
      ambiguous: false,
      round: 1,
    });
    return { id, messageId };
  }
  const event = (messageId: string, type: ProviderEventType, s: number, recipients?: string[]) =>
    lifecycle.applyEvent(
      'sendgrid',
      messageId,
      randomUUID(),
      { type, provider: 'sendgrid', at: at(s) },
      undefined,
      recipients,
    );
  const states = async (id: string) =>
    (await records.get(id))!.recipients!.map((r) => `${r.to} ${r.status}`);

  describe('when events name the recipients of an e-mail to several', () => {
    it('is delivered once all are, and complained when one complains after', async () => {
      const { id, messageId } = await sent();
      expect(await states(id)).toEqual([
        'a***@example.com sent',
        'b***@example.com sent',
        'c***@example.com sent',
      ]);
      expect(await event(messageId, 'delivered', 1, ['ADA@example.com'])).toMatchObject({
        status: 'sent',
        moved: false,
      });
      expect(await event(messageId, 'deferred', 2, ['bob@example.com'])).toMatchObject({
        status: 'sent',
      });
      // One event may name several recipients (as SES does).
      expect(
        await event(messageId, 'delivered', 3, ['bob@example.com', 'cy@example.com']),
      ).toMatchObject({ status: 'delivered', moved: true });
      expect((await records.get(id))!.deliveredAt).toBe(at(3));
      // A bounce older than bob's delivery changes neither him nor the notification.
      expect(await event(messageId, 'bounced', 2, ['bob@example.com'])).toMatchObject({
        status: 'delivered',
        moved: false,
      });
      expect(await event(messageId, 'complained', 9, ['bob@example.com'])).toMatchObject({
        status: 'complained',
        moved: true,
      });
      expect(await states(id)).toEqual([
        'a***@example.com delivered',
        'b***@example.com complained',
        'c***@example.com delivered',
      ]);
      expect((await records.get(id))!.recipients![1]!.at).toBe(at(9));
    });

    it('is bounced as soon as one bounces, whatever the others do', async () => {
      const { id, messageId } = await sent();
      expect(await event(messageId, 'bounced', 1, ['cy@example.com'])).toMatchObject({
        status: 'bounced',
        moved: true,
      });
      expect(await event(messageId, 'delivered', 2, ['ada@example.com'])).toMatchObject({
        status: 'bounced',
        moved: false,
      });
      expect(await event(messageId, 'undelivered', 3, ['bob@example.com'])).toMatchObject({
        status: 'bounced',
        moved: false,
      });
      expect(await states(id)).toEqual([
        'a***@example.com delivered',
        'b***@example.com undelivered',
        'c***@example.com bounced',
      ]);
    });

    it('is delivered at the latest delivery when the events arrive out of order', async () => {
      const { id, messageId } = await sent();
      await event(messageId, 'delivered', 9, ['ada@example.com']);
      await event(messageId, 'delivered', 4, ['bob@example.com']);
      expect(await event(messageId, 'delivered', 5, ['cy@example.com'])).toMatchObject({
        status: 'delivered',
        moved: true,
      });
      expect((await records.get(id))!.deliveredAt).toBe(at(9));
    });
  });

  describe('when an event names no recipient Herald knows', () => {
    it('applies to the notification as a whole', async () => {
      const a = await sent();
      expect(await event(a.messageId, 'delivered', 1)).toMatchObject({ status: 'delivered' });
      const b = await sent();
      expect(await event(b.messageId, 'bounced', 1, ['eve@example.com'])).toMatchObject({
        status: 'bounced',
      });
      expect(await states(b.id)).toEqual([
        'a***@example.com sent',
        'b***@example.com sent',
        'c***@example.com sent',
      ]);
    });
  });

  describe('when a record was written before recipients were kept', () => {
    it('reads without them and moves on the first event as before', async () => {
      const { id, messageId } = await sent();
      await redis.client.hdel(redis.key('ntf', id), 'recipients');
      expect(await event(messageId, 'delivered', 1, ['ada@example.com'])).toMatchObject({
        status: 'delivered',
        moved: true,
      });
      expect((await records.get(id))!.recipients).toBeUndefined();
    });
  });
});
