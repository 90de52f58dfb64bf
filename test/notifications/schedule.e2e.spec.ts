import { setTimeout as sleep } from 'node:timers/promises';
import type { NotificationRecord } from '../../src/contracts/notification-record';
import { NotificationAcceptance } from '../../src/notifications/notification-acceptance';
import { IdempotencyStore } from '../../src/idempotency/idempotency.store';
import { recordKeys } from '../../src/notifications/record-keys';
import { RedisService } from '../../src/redis/redis.service';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { deliveryEnv, getRecord, openProducer, startSimulator } from '../delivery/delivery-fixture';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import { type Answer, post } from './notification-requests';

const MAX_AHEAD_SECONDS = 600;

describe(`${NotificationAcceptance.name} sendAt`, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  const send = (body: unknown): Promise<Answer> => post(`${herald.url}/v1/notifications`, body);
  const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

  beforeAll(async () => {
    simulator = await startSimulator();
    herald = await startReadyHerald(
      deliveryEnv(simulator.url, {
        HERALD_SMS_PROVIDERS: 'twilio',
        HERALD_MAX_SCHEDULE_AHEAD_SECONDS: String(MAX_AHEAD_SECONDS),
      }),
    );
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
  });

  /**
   * Polls the record until it is sent; every look taken before `sendAt` also checks that
   * the provider has had no request yet. Returns the sent record.
   */
  async function sentNotBefore(id: string, sendAt: string): Promise<NotificationRecord> {
    const due = Date.parse(sendAt);
    const deadline = due + 15_000;
    for (;;) {
      const before = Date.now() < due;
      const requests = simulator.requests('twilio');
      const record = await getRecord(herald.url, id);
      if (before) {
        expect({ requests, status: record.status }).toEqual({ requests: 0, status: 'scheduled' });
      }
      if (record.status === 'sent') return record;
      if (Date.now() > deadline) throw new Error(`not sent: ${JSON.stringify(record)}`);
      await sleep(25);
    }
  }

  const sms = { channel: 'sms', to: '+14155550100', text: 'Your table is ready' };

  describe('when a REST message names a time 2 s ahead', () => {
    it('is scheduled, not sent before that time, and sent after it', async () => {
      simulator.reset();
      const sendAt = inSeconds(2);
      const answer = await send({ ...sms, sendAt });
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ status: 'scheduled', sendAt });
      const id = answer.body.id as string;
      expect(await getRecord(herald.url, id)).toMatchObject({ status: 'scheduled', sendAt });

      const record = await sentNotBefore(id, sendAt);
      expect(Date.parse(record.attempts[0]!.at)).toBeGreaterThanOrEqual(Date.parse(sendAt));
      expect(simulator.requests('twilio')).toBe(1);
    });
  });

  describe("when a producer's job names a time 2 s ahead", () => {
    it('is sent after that time, and its job resolves once sent', async () => {
      simulator.reset();
      const producer = await openProducer(herald);
      try {
        const sendAt = inSeconds(2);
        const job = await producer.queue.add('send', { ...sms, sendAt });
        const result = (await job.waitUntilFinished(producer.events, 20_000)) as { id: string };
        expect(result).toMatchObject({ status: 'sent' });
        const record = await getRecord(herald.url, result.id);
        expect(record.sendAt).toBe(sendAt);
        expect(Date.parse(record.attempts[0]!.at)).toBeGreaterThanOrEqual(Date.parse(sendAt));
        expect(simulator.messages().map((m) => Date.parse(m.receivedAt))).toEqual([
          expect.any(Number),
        ]);
        expect(Date.parse(simulator.messages()[0]!.receivedAt)).toBeGreaterThanOrEqual(
          Date.parse(sendAt),
        );
      } finally {
        await producer.close();
      }
    });
  });

  describe('when a notification is scheduled far ahead', () => {
    it('keeps its record and idempotency key until the send time plus the whole retention', async () => {
      const ahead = MAX_AHEAD_SECONDS - 60;
      const answer = await post(
        `${herald.url}/v1/notifications`,
        { ...sms, sendAt: inSeconds(ahead) },
        { 'idempotency-key': 'far-ahead' },
      );
      expect(answer.status).toBe(202);
      const id = answer.body.id as string;
      const { caller } = await getRecord(herald.url, id);
      const redis = herald.app.get(RedisService);
      const recordTtl = await redis.client.ttl(recordKeys(redis, id).record);
      const keyTtl = await redis.client.ttl(
        herald.app.get(IdempotencyStore).entryKey(`caller:${caller}`, 'far-ahead'),
      );
      // Seconds: the wait (less the time this spec took, well under a minute) plus the retention.
      expect(recordTtl).toBeGreaterThan(herald.config.records.ttlSeconds + ahead - 60);
      expect(keyTtl).toBeGreaterThan(herald.config.idempotency.ttlSeconds + ahead - 60);
    });
  });

  describe('when a scheduled notification is cancelled', () => {
    it('is never sent', async () => {
      simulator.reset();
      const answer = await send({ ...sms, sendAt: inSeconds(1) });
      const id = answer.body.id as string;
      const cancel = await fetch(`${herald.url}/v1/notifications/${id}/cancel`, {
        method: 'POST',
      });
      expect(cancel.status).toBe(200);
      // Sent after it, due after it: once this one is sent, the cancelled one's time is past.
      const after = await send({ ...sms, sendAt: inSeconds(1.5) });
      await sentNotBefore(after.body.id as string, after.body.sendAt as string);
      expect(simulator.requests('twilio')).toBe(1);
      expect((await getRecord(herald.url, id)).status).toBe('cancelled');
    });
  });

  describe('when the time is not acceptable', () => {
    it.each([
      ['in the past', () => inSeconds(-5)],
      ['beyond HERALD_MAX_SCHEDULE_AHEAD_SECONDS', () => inSeconds(MAX_AHEAD_SECONDS + 60)],
      ['without an offset', () => inSeconds(60).replace('Z', '')],
      ['not a date', () => 'tomorrow'],
    ])('refuses a sendAt %s with 400 naming sendAt', async (_, at) => {
      const answer = await send({ ...sms, sendAt: at() });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
      expect((answer.body.errors as { field: string }[]).map((e) => e.field)).toEqual(['sendAt']);
    });

    it("sends at once a producer's job whose time passed while it waited in the queue", async () => {
      const producer = await openProducer(herald);
      try {
        // In the future when added; the job only runs once BullMQ's delay is over, after it.
        const sendAt = inSeconds(1);
        const job = await producer.queue.add('send', { ...sms, sendAt }, { delay: 2_500 });
        const result = (await job.waitUntilFinished(producer.events, 20_000)) as { id: string };
        const record = await getRecord(herald.url, result.id);
        expect(record.status).not.toBe('failed');
        expect(record.sendAt).toBe(sendAt);
      } finally {
        await producer.close();
      }
    });

    it("fails a producer's job with a past sendAt at once, naming sendAt", async () => {
      const producer = await openProducer(herald);
      try {
        const job = await producer.queue.add('send', { ...sms, sendAt: inSeconds(-5) });
        await expect(job.waitUntilFinished(producer.events, 10_000)).rejects.toThrow(/sendAt/);
      } finally {
        await producer.close();
      }
    });
  });
});
