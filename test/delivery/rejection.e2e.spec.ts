import { NotificationJobProcessor } from '../../src/delivery/notification-job.processor';
import { ProviderBreakers } from '../../src/delivery/provider-breakers';
import { SEND_JOB } from '../../src/queue/queue.constants';
import { REJECTED_EMAIL_DOMAIN } from '../../src/sandbox/provider-simulator';
import {
  emailTo,
  isFinal,
  metricValue,
  postNotification,
  waitForRecord,
  useDeliveryStack,
} from './delivery-fixture';

describe(NotificationJobProcessor.name, () => {
  const stack = useDeliveryStack();
  beforeEach(() => stack.simulator.reset());

  describe('when the provider rejects the recipient', () => {
    it('fails the notification at once, without failover, and leaves the breaker untouched', async () => {
      const id = await postNotification(
        stack.herald.url,
        emailTo(`nobody@${REJECTED_EMAIL_DOMAIN}`),
      );
      const record = await waitForRecord(stack.herald.url, id, isFinal);

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
      expect(stack.simulator.requests('mailgun') + stack.simulator.requests('ses')).toBe(0);
      const sendgrid = (await stack.herald.app.get(ProviderBreakers).snapshot()).find(
        (s) => s.provider === 'sendgrid',
      );
      expect(sendgrid).toMatchObject({ state: 'closed', window: { calls: 1, failures: 0 } });
      expect(sendgrid?.lastError).toBeUndefined();
      expect(
        await metricValue(stack.herald.app, 'herald_notifications_total', {
          kind: 'email',
          status: 'failed',
        }),
      ).toBe(1);
    });

    it('fails a producer job at once with the reason, no retry', async () => {
      const job = await stack.producer.queue.add(
        SEND_JOB,
        emailTo(`gone@${REJECTED_EMAIL_DOMAIN}`),
        {
          attempts: 5,
        },
      );
      await expect(job.waitUntilFinished(stack.producer.events, 10_000)).rejects.toThrow(
        /^rejected: sendgrid: /,
      );
      expect(stack.simulator.requests('sendgrid')).toBe(1);
      expect(stack.simulator.requests('mailgun')).toBe(0);
    });
  });

  describe('when a producer job is invalid', () => {
    it('fails it at once naming the fields, and keeps working', async () => {
      const bad = await stack.producer.queue.add(
        SEND_JOB,
        { channel: 'email', to: ['not-an-address'], subject: '', text: 'x' },
        { attempts: 5 },
      );
      await expect(bad.waitUntilFinished(stack.producer.events, 10_000)).rejects.toThrow(
        /^Invalid fields: to\.0, subject\. .*to\.0: must be an e-mail address/,
      );
      expect((await stack.producer.queue.getJob(bad.id!))?.attemptsMade).toBe(1);

      const good = await stack.producer.queue.add(SEND_JOB, emailTo('fine@example.com'));
      await expect(good.waitUntilFinished(stack.producer.events, 10_000)).resolves.toMatchObject({
        status: 'sent',
        provider: 'sendgrid',
      });
    });

    it('fails a job of an unknown name at once', async () => {
      const odd = await stack.producer.queue.add('shout', emailTo('x@example.com'));
      await expect(odd.waitUntilFinished(stack.producer.events, 10_000)).rejects.toThrow(
        /unknown job name "shout"/,
      );
    });
  });

  describe('when a producer sends the same idempotency key twice', () => {
    it('delivers once and answers the second job with the first notification', async () => {
      const message = { ...emailTo('once@example.com'), idempotencyKey: 'order-42-shipped' };
      const first = await stack.producer.queue.add(SEND_JOB, message);
      const one = (await first.waitUntilFinished(stack.producer.events, 10_000)) as { id: string };
      const second = await stack.producer.queue.add(SEND_JOB, message);
      const two = (await second.waitUntilFinished(stack.producer.events, 10_000)) as { id: string };

      expect(two).toEqual(one);
      expect(stack.simulator.messages({ notificationId: one.id })).toHaveLength(1);
    });
  });
});
