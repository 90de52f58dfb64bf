import { NotificationJobProcessor } from '../../src/delivery/notification-job.processor';
import { ProviderBreakers } from '../../src/delivery/provider-breakers';
import { SEND_JOB } from '../../src/queue/queue.constants';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import { until } from '../support/until';
import {
  deliveryEnv,
  emailTo,
  getRecord,
  isFinal,
  openProducer,
  postNotification,
  type Producer,
  startSimulator,
  waitForRecord,
} from './delivery-fixture';

const EMAIL_PROVIDERS = ['sendgrid', 'mailgun', 'ses'] as const;

describe(NotificationJobProcessor.name, () => {
  let simulator: ProviderSimulator;

  beforeAll(async () => {
    simulator = await startSimulator();
  });
  afterAll(() => simulator?.stop());
  beforeEach(() => simulator.reset());

  describe('when every provider is down', () => {
    let herald: RunningHerald;
    let producer: Producer;
    beforeAll(async () => {
      herald = await startReadyHerald(deliveryEnv(simulator.url));
      producer = await openProducer(herald);
    });
    afterAll(async () => {
      await producer?.close();
      await herald?.close();
    });

    it('retries with backoff and delivers every message once one recovers; none is lost', async () => {
      for (const p of EMAIL_PROVIDERS) simulator.setBehaviour(p, { mode: 'fail', status: 503 });

      const ids = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          postNotification(herald.url, emailTo(`down${i}@example.com`)),
        ),
      );
      // A producer's job with BullMQ's default single attempt still outlives the outage.
      const job = await producer.queue.add(SEND_JOB, emailTo('producer@example.com'), {
        attempts: 1,
      });

      await until(
        async () =>
          (await Promise.all(ids.map((id) => getRecord(herald.url, id)))).every(
            (r) => r.rounds >= 3,
          ),
        10_000,
        'three rounds each',
      );
      const waiting = await Promise.all(ids.map((id) => getRecord(herald.url, id)));
      expect(waiting.every((r) => r.status === 'queued' || r.status === 'sending')).toBe(true);
      expect(waiting.some((r) => r.nextAttemptAt !== undefined)).toBe(true);
      expect(await job.getState()).toMatch(/^(delayed|active|waiting)$/);

      simulator.setBehaviour('mailgun', { mode: 'ok' });

      const records = await Promise.all(
        ids.map((id) => waitForRecord(herald.url, id, isFinal, 15_000)),
      );
      for (const record of records) {
        expect(record).toMatchObject({ status: 'sent', provider: 'mailgun' });
        expect(record.rounds).toBeGreaterThanOrEqual(3);
        expect(new Set(record.attempts.map((a) => a.round)).size).toBe(record.rounds);
        expect(simulator.messages({ notificationId: record.id })).toHaveLength(1);
      }
      const result = (await job.waitUntilFinished(producer.events, 15_000)) as {
        id: string;
        status: string;
        provider: string;
      };
      expect(result).toMatchObject({ status: 'sent', provider: 'mailgun' });
      expect(simulator.messages({ notificationId: result.id })).toHaveLength(1);
    });
  });

  describe('when providers answer 429 with Retry-After', () => {
    let herald: RunningHerald;
    beforeAll(async () => {
      herald = await startReadyHerald(deliveryEnv(simulator.url));
    });
    afterAll(() => herald?.close());

    it('waits at least the largest Retry-After before the next round', async () => {
      for (const p of EMAIL_PROVIDERS) {
        simulator.setBehaviour(p, { mode: 'ok', failNext: 1, status: 429, retryAfterSeconds: 1 });
      }
      const id = await postNotification(herald.url, emailTo('patient@example.com'));
      const record = await waitForRecord(herald.url, id, isFinal);

      expect(record).toMatchObject({ status: 'sent', provider: 'sendgrid', rounds: 2 });
      const first = record.attempts.filter((a) => a.round === 1);
      expect(first.map((a) => a.errorClass)).toEqual(['throttled', 'throttled', 'throttled']);
      const lastAnswer = Math.max(...first.map((a) => Date.parse(a.at) + a.latencyMs));
      const second = record.attempts.find((a) => a.round === 2)!;
      // The retry base is 50 ms; only the Retry-After explains a wait of a second.
      expect(Date.parse(second.at) - lastAnswer).toBeGreaterThanOrEqual(950);
    });
  });

  describe('when attempts run out', () => {
    let herald: RunningHerald;
    let producer: Producer;
    beforeAll(async () => {
      herald = await startReadyHerald(deliveryEnv(simulator.url, { HERALD_RETRY_ATTEMPTS: '3' }));
      producer = await openProducer(herald);
    });
    afterAll(async () => {
      await producer?.close();
      await herald?.close();
    });

    it('leaves the notification failed, then delivers it when re-driven', async () => {
      for (const p of EMAIL_PROVIDERS) simulator.setBehaviour(p, { mode: 'fail', status: 503 });

      const id = await postNotification(herald.url, emailTo('gone@example.com'));
      const job = await producer.queue.add(SEND_JOB, emailTo('gone2@example.com'));
      const failed = await waitForRecord(herald.url, id, isFinal);

      expect(failed).toMatchObject({
        status: 'failed',
        rounds: 3,
        failure: { errorClass: 'exhausted', detail: expect.stringMatching(/in 3 rounds/) },
      });
      await expect(job.waitUntilFinished(producer.events, 10_000)).rejects.toThrow(
        /^exhausted: no provider took it in 3 rounds/,
      );

      for (const p of EMAIL_PROVIDERS) simulator.setBehaviour(p, { mode: 'ok' });
      // The outage opened the breakers: re-drive once they let a trial through, or the three
      // rounds of 50–400 ms could all pass before the 1 s reset timeout.
      const breakers = herald.app.get(ProviderBreakers);
      await until(() => breakers.admits('sendgrid'), 2_000, 'a half-open sendgrid');
      const res = await fetch(`${herald.url}/v1/notifications/${id}/retry`, { method: 'POST' });
      expect(res.status).toBe(202);
      const delivered = await waitForRecord(herald.url, id, isFinal, 10_000);
      expect(delivered.status).toBe('sent');
      expect(simulator.messages({ notificationId: id })).toHaveLength(1);
    });
  });
});
