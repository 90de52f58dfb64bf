import { NotificationJobProcessor } from '../../src/delivery/notification-job.processor';
import { ProviderBreakers } from '../../src/delivery/provider-breakers';
import { SEND_JOB } from '../../src/queue/queue.constants';
import {
  type ProviderSimulator,
  REJECTED_EMAIL_DOMAIN,
} from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import {
  deliveryEnv,
  emailTo,
  isFinal,
  metricValue,
  openProducer,
  postNotification,
  type Producer,
  startSimulator,
  waitForRecord,
} from './delivery-fixture';

describe(NotificationJobProcessor.name, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  let producer: Producer;

  beforeAll(async () => {
    simulator = await startSimulator();
    herald = await startReadyHerald(deliveryEnv(simulator.url));
    producer = await openProducer(herald);
  });
  afterAll(async () => {
    await producer?.close();
    await herald?.close();
    await simulator?.stop();
  });
  beforeEach(() => simulator.reset());

  describe('when the provider rejects the recipient', () => {
    it('fails the notification at once, without failover, and leaves the breaker untouched', async () => {
      const id = await postNotification(herald.url, emailTo(`nobody@${REJECTED_EMAIL_DOMAIN}`));
      const record = await waitForRecord(herald.url, id, isFinal);

      expect(record).toMatchObject({
        status: 'failed',
        rounds: 1,
        failure: { errorClass: 'rejected', detail: expect.stringMatching(/^sendgrid: /) },
      });
      expect(record.attempts).toEqual([
        expect.objectContaining({
          provider: 'sendgrid',
          outcome: 'failed',
          errorClass: 'rejected',
        }),
      ]);
      expect(simulator.requests('mailgun') + simulator.requests('ses')).toBe(0);
      const sendgrid = (await herald.app.get(ProviderBreakers).snapshot()).find(
        (s) => s.provider === 'sendgrid',
      );
      expect(sendgrid).toMatchObject({ state: 'closed', window: { calls: 1, failures: 0 } });
      expect(sendgrid?.lastError).toBeUndefined();
      expect(
        await metricValue(herald.app, 'herald_notifications_total', {
          kind: 'email',
          status: 'failed',
        }),
      ).toBe(1);
    });

    it('fails a producer job at once with the reason, no retry', async () => {
      const job = await producer.queue.add(SEND_JOB, emailTo(`gone@${REJECTED_EMAIL_DOMAIN}`), {
        attempts: 5,
      });
      await expect(job.waitUntilFinished(producer.events, 10_000)).rejects.toThrow(
        /^rejected: sendgrid: /,
      );
      expect(simulator.requests('sendgrid')).toBe(1);
      expect(simulator.requests('mailgun')).toBe(0);
    });
  });

  describe('when a producer job is invalid', () => {
    it('fails it at once naming the fields, and keeps working', async () => {
      const bad = await producer.queue.add(
        SEND_JOB,
        { channel: 'email', to: ['not-an-address'], subject: '', text: 'x' },
        { attempts: 5 },
      );
      await expect(bad.waitUntilFinished(producer.events, 10_000)).rejects.toThrow(
        /^Invalid fields: to\.0, subject\. .*to\.0: must be an e-mail address/,
      );
      expect((await producer.queue.getJob(bad.id!))?.attemptsMade).toBe(1);

      const good = await producer.queue.add(SEND_JOB, emailTo('fine@example.com'));
      await expect(good.waitUntilFinished(producer.events, 10_000)).resolves.toMatchObject({
        status: 'sent',
        provider: 'sendgrid',
      });
    });

    it('fails a job of an unknown name at once', async () => {
      const odd = await producer.queue.add('shout', emailTo('x@example.com'));
      await expect(odd.waitUntilFinished(producer.events, 10_000)).rejects.toThrow(
        /unknown job name "shout"/,
      );
    });
  });

  describe('when a producer sends the same idempotency key twice', () => {
    it('delivers once and answers the second job with the first notification', async () => {
      const message = { ...emailTo('once@example.com'), idempotencyKey: 'order-42-shipped' };
      const first = await producer.queue.add(SEND_JOB, message);
      const one = (await first.waitUntilFinished(producer.events, 10_000)) as { id: string };
      const second = await producer.queue.add(SEND_JOB, message);
      const two = (await second.waitUntilFinished(producer.events, 10_000)) as { id: string };

      expect(two).toEqual(one);
      expect(simulator.messages({ notificationId: one.id })).toHaveLength(1);
    });
  });
});
