import { SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { EVENT_EMAIL_RECIPIENTS, ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { until } from '../support/until';
import { sesClient } from './sdk-clients';
import { useSimulator } from './simulator-fixture';
import { verifySnsMessage } from './sns-verifier';
import { type ReceivedRequest, useWebhookReceiver } from './webhook-receiver';

const message: SendEmailCommandInput = {
  FromEmailAddress: 'ops@example.com',
  Destination: { ToAddresses: ['ada@example.com'] },
  Content: { Simple: { Subject: { Data: 'Your order' }, Body: { Text: { Data: 'It shipped.' } } } },
  EmailTags: [{ Name: 'herald_notification_id', Value: 'ntf_1' }],
};

type SnsMessage = Record<string, string>;
const snsOf = (request: ReceivedRequest) => JSON.parse(request.rawBody) as SnsMessage;
const sesOf = (request: ReceivedRequest) =>
  JSON.parse(snsOf(request).Message!) as Record<string, Record<string, unknown> | string>;

describe(ProviderSimulator.name, () => {
  const sim = useSimulator({ events: { retryDelaysMs: [20] } });
  const receiver = useWebhookReceiver();
  const verifies = (request: ReceivedRequest) => verifySnsMessage(snsOf(request), sim.url);

  const send = async (input: Partial<SendEmailCommandInput> = {}) => {
    const { MessageId } = await sesClient(sim.url).send(
      new SendEmailCommand({ ...message, ...input }),
    );
    return MessageId!;
  };

  /** Sets the webhook and answers SNS's SubscriptionConfirmation as a receiver must. */
  const subscribe = async () => {
    sim.simulator.setWebhook('ses', { url: receiver.url('/ses') });
    const [confirmation] = await receiver.await(1, 'the SubscriptionConfirmation');
    const response = await fetch(snsOf(confirmation!).SubscribeURL!);
    expect(response.status).toBe(200);
    receiver.clear();
    return { confirmation: confirmation!, answer: await response.text() };
  };

  describe('ses events through sns', () => {
    it('sends a signed SubscriptionConfirmation whose SubscribeURL confirms the subscription', async () => {
      const { confirmation, answer } = await subscribe();

      const sns = snsOf(confirmation);
      expect(sns).toMatchObject({
        Type: 'SubscriptionConfirmation',
        TopicArn: sim.simulator.webhooks().ses.topicArn,
        SignatureVersion: '2',
        Token: expect.any(String),
      });
      expect(confirmation.headers['x-amz-sns-message-type']).toBe('SubscriptionConfirmation');
      expect(confirmation.headers['content-type']).toBe('text/plain; charset=UTF-8');
      expect(await verifies(confirmation)).toBe(true);
      expect(answer).toContain('<ConfirmSubscriptionResponse');
      expect(answer).toContain(`<SubscriptionArn>${sim.simulator.webhooks().ses.subscriptionArn}<`);
      expect(sim.simulator.webhooks().ses.subscription).toBe('confirmed');
    });

    it('sends the SubscriptionConfirmation at start for a webhook given in the options', async () => {
      const other = new ProviderSimulator({
        events: { webhooks: { ses: { url: receiver.url('/from-options') } } },
      });
      try {
        const url = await other.start();
        const [confirmation] = await receiver.await(1);

        expect(confirmation!.url).toBe(receiver.url('/from-options'));
        expect(await verifySnsMessage(snsOf(confirmation!), url)).toBe(true);
        expect(other.webhooks().ses.subscription).toBe('pending');
      } finally {
        await other.stop();
      }
    });

    it('refuses a SubscribeURL with another token', async () => {
      sim.simulator.setWebhook('ses', { url: receiver.url('/ses') });
      const [confirmation] = await receiver.await(1);
      const url = new URL(snsOf(confirmation!).SubscribeURL!);
      url.searchParams.set('Token', 'forged');

      expect((await fetch(url)).status).toBe(400);
      expect(sim.simulator.webhooks().ses.subscription).toBe('pending');
    });

    it('sends no event to a subscription that was never confirmed, and records why', async () => {
      sim.simulator.setWebhook('ses', { url: receiver.url('/ses') });
      await receiver.await(1);
      const messageId = await send();

      expect(sim.simulator.events({ messageId })).toEqual([
        expect.objectContaining({ status: 'skipped', reason: 'SNS subscription not confirmed' }),
      ]);
    });

    it('posts a Delivery notification signed with SignatureVersion 2', async () => {
      await subscribe();
      const messageId = await send();

      const [request] = await receiver.await(1);
      const sns = snsOf(request!);
      expect(Object.keys(sns)).toEqual([
        'Type',
        'MessageId',
        'TopicArn',
        'Message',
        'Timestamp',
        'SignatureVersion',
        'Signature',
        'SigningCertURL',
        'UnsubscribeURL',
      ]);
      expect(sns).toMatchObject({ Type: 'Notification', SignatureVersion: '2' });
      expect(request!.headers).toMatchObject({
        'x-amz-sns-message-type': 'Notification',
        'x-amz-sns-message-id': sns.MessageId,
        'x-amz-sns-topic-arn': sns.TopicArn,
        'x-amz-sns-subscription-arn': sim.simulator.webhooks().ses.subscriptionArn,
      });
      expect(await verifies(request!)).toBe(true);
      expect(sesOf(request!)).toMatchObject({
        notificationType: 'Delivery',
        mail: { messageId, source: 'ops@example.com', destination: ['ada@example.com'] },
        delivery: { recipients: ['ada@example.com'] },
      });
    });

    it('fails verification when the message or the signed timestamp is altered', async () => {
      await subscribe();
      await send();

      const [request] = await receiver.await(1);
      const sns = snsOf(request!);
      const forged = {
        ...request!,
        rawBody: JSON.stringify({ ...sns, Message: sns.Message!.replace('Delivery', 'Bounce') }),
      };
      expect(await verifies(forged)).toBe(false);
      const later = {
        ...request!,
        rawBody: JSON.stringify({ ...sns, Timestamp: new Date().toISOString() }),
      };
      expect(await verifies(later)).toBe(false);
    });

    it('bounces bounce@ permanently and reports complaint@ as delivered, then complained', async () => {
      await subscribe();
      await send({ Destination: { ToAddresses: [EVENT_EMAIL_RECIPIENTS.bounce] } });
      const [bounce] = await receiver.await(1);
      expect(sesOf(bounce!)).toMatchObject({
        notificationType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bouncedRecipients: [{ emailAddress: EVENT_EMAIL_RECIPIENTS.bounce }],
        },
      });

      receiver.clear();
      await send({ Destination: { ToAddresses: [EVENT_EMAIL_RECIPIENTS.complaint] } });
      const requests = await receiver.await(2);
      expect(requests.map((r) => sesOf(r).notificationType)).toEqual(['Delivery', 'Complaint']);
      for (const r of requests) expect(await verifies(r)).toBe(true);
    });

    it('uses the event-publishing shape for a send with a configuration set', async () => {
      await subscribe();
      await send({ ConfigurationSetName: 'herald' });

      const [request] = await receiver.await(1);
      expect(sesOf(request!)).toMatchObject({
        eventType: 'Delivery',
        mail: { tags: { 'ses:configuration-set': ['herald'], herald_notification_id: ['ntf_1'] } },
      });
    });

    it('ends the subscription at its UnsubscribeURL', async () => {
      await subscribe();
      await send();
      const [request] = await receiver.await(1);

      expect((await fetch(snsOf(request!).UnsubscribeURL!)).status).toBe(200);
      expect(sim.simulator.webhooks().ses.subscription).toBe('none');
      const messageId = await send();
      await until(
        () => sim.simulator.events({ messageId }).length === 1,
        5_000,
        'the skipped event',
      );
      expect(sim.simulator.events({ messageId })[0]!.status).toBe('skipped');
    });
  });
});
