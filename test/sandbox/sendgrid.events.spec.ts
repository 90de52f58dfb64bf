import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import type { MailDataRequired } from '@sendgrid/mail';
import { EVENT_EMAIL_RECIPIENTS, ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { until } from '../support/until';
import { sendgridMail } from './sdk-clients';
import { useSimulator } from './simulator-fixture';
import { type ReceivedRequest, useWebhookReceiver } from './webhook-receiver';

const message = {
  from: 'ops@example.com',
  subject: 'Your order',
  text: 'It shipped.',
};
/** Herald's placement: custom args in the personalization (an object there, a string on top). */
const CUSTOM_ARGS = { herald_notification_id: 'ntf_1', orderId: '123' };

/** Exactly what an integrator does with SendGrid's own verifier and the dashboard's key. */
function verifies(publicKey: string, request: ReceivedRequest, body = request.rawBody): boolean {
  const webhook = new EventWebhook();
  return webhook.verifySignature(
    webhook.convertPublicKeyToECDSA(publicKey),
    body,
    request.headers[EventWebhookHeader.SIGNATURE().toLowerCase()] as string,
    request.headers[EventWebhookHeader.TIMESTAMP().toLowerCase()] as string,
  );
}

type SendgridEvent = Record<string, unknown>;
const eventsOf = (request: ReceivedRequest) => JSON.parse(request.rawBody) as SendgridEvent[];

describe(ProviderSimulator.name, () => {
  const sim = useSimulator({ events: { retryDelaysMs: [20, 20] } });
  const receiver = useWebhookReceiver();
  const publicKey = () => sim.simulator.webhooks().sendgrid.publicKey!;
  beforeEach(() => sim.simulator.setWebhook('sendgrid', { url: receiver.url('/sendgrid') }));

  const send = async ({ to = 'ada@example.com' }: { to?: string | string[] } = {}) => {
    const [response] = await sendgridMail(sim.url).send({
      ...message,
      personalizations: [{ to, customArgs: CUSTOM_ARGS }],
    } as MailDataRequired);
    return response.headers['x-message-id'] as string;
  };

  describe('sendgrid events', () => {
    it('posts a delivered event signed with ECDSA P-256 that @sendgrid/eventwebhook verifies', async () => {
      const messageId = await send();

      const [request] = await receiver.await(1);
      expect(request!.url).toBe(receiver.url('/sendgrid'));
      expect(request!.headers['content-type']).toBe('application/json;charset=utf-8');
      expect(request!.rawBody.endsWith(']\r\n')).toBe(true);
      expect(verifies(publicKey(), request!)).toBe(true);
      const [event] = eventsOf(request!);
      expect(event).toMatchObject({
        event: 'delivered',
        email: 'ada@example.com',
        response: '250 OK',
        herald_notification_id: 'ntf_1',
        orderId: '123',
      });
      expect(event!.timestamp).toBe(
        Number(request!.headers['x-twilio-email-event-webhook-timestamp']),
      );
      expect(String(event!.sg_message_id).startsWith(`${messageId}.`)).toBe(true);
      expect(event!.sg_event_id).toMatch(/^[\w-]{22}$/);
    });

    it('fails verification when one byte of the body or the timestamp changes', async () => {
      await send();

      const [request] = await receiver.await(1);
      expect(verifies(publicKey(), request!, request!.rawBody.replace('ada@', 'eve@'))).toBe(false);
      const otherTime = {
        ...request!,
        headers: { ...request!.headers, 'x-twilio-email-event-webhook-timestamp': '1' },
      };
      expect(verifies(publicKey(), otherTime)).toBe(false);
    });

    it('shows the public key as SendGrid does: base64 DER SubjectPublicKeyInfo of P-256', () => {
      const der = Buffer.from(publicKey(), 'base64');
      // The DER prefix of an id-ecPublicKey / prime256v1 SubjectPublicKeyInfo.
      expect(der.subarray(0, 26).toString('hex')).toBe(
        '3059301306072a8648ce3d020106082a8648ce3d030107034200',
      );
    });

    it('bounces bounce@, and sends delivered then spamreport for complaint@', async () => {
      await send({ to: EVENT_EMAIL_RECIPIENTS.bounce });
      const [bounce] = await receiver.await(1);
      expect(eventsOf(bounce!)[0]).toMatchObject({
        event: 'bounce',
        type: 'bounce',
        status: '5.1.1',
        email: EVENT_EMAIL_RECIPIENTS.bounce,
      });

      receiver.clear();
      await send({ to: EVENT_EMAIL_RECIPIENTS.complaint });
      const requests = await receiver.await(2);
      expect(requests.map((r) => eventsOf(r)[0]!.event)).toEqual(['delivered', 'spamreport']);
      expect(requests.every((r) => verifies(publicKey(), r))).toBe(true);
    });

    it('gives each recipient its own event and sg_message_id', async () => {
      const messageId = await send({ to: ['ada@example.com', 'grace@example.com'] });

      const requests = await receiver.await(2);
      const events = requests.map((r) => eventsOf(r)[0]!);
      expect(events.map((e) => e.email).sort()).toEqual(['ada@example.com', 'grace@example.com']);
      expect(new Set(events.map((e) => e.sg_message_id)).size).toBe(2);
      expect(events.every((e) => String(e.sg_message_id).startsWith(`${messageId}.`))).toBe(true);
    });

    it('sends the events the control API names instead of the conventions', async () => {
      sim.simulator.setWebhook('sendgrid', {
        url: receiver.url('/sendgrid'),
        events: ['deferred', 'bounce'],
      });
      await send();

      const requests = await receiver.await(2);
      expect(requests.map((r) => eventsOf(r)[0]!.event)).toEqual(['deferred', 'bounce']);
    });

    it('delivers the same event, same id, as often as repeat says', async () => {
      sim.simulator.setWebhook('sendgrid', { url: receiver.url('/sendgrid'), repeat: 3 });
      await send();

      const requests = await receiver.await(3);
      expect(new Set(requests.map((r) => eventsOf(r)[0]!.sg_event_id)).size).toBe(1);
      expect(requests.every((r) => r.rawBody === requests[0]!.rawBody)).toBe(true);
    });

    it('retries an event the webhook did not take, and records every attempt', async () => {
      let calls = 0;
      receiver.answer = () => (++calls === 1 ? 503 : 200);
      const messageId = await send();

      await until(
        () => sim.simulator.events({ messageId })[0]?.status === 'delivered',
        20_000,
        'the event to be delivered',
      );
      const [record] = sim.simulator.events({ messageId });
      expect(record!.attempts.map((a) => a.status)).toEqual([503, 200]);
      expect(record).toMatchObject({
        provider: 'sendgrid',
        kind: 'delivered',
        type: 'delivered',
        notificationId: 'ntf_1',
        recipient: 'ada@example.com',
      });
    });

    it('answers every send while the webhook hangs: events never hold up a send', async () => {
      receiver.answer = 'hang';
      const ids = [];
      for (let i = 0; i < 6; i += 1) ids.push(await send({ to: `user${i}@example.com` }));

      expect(new Set(ids).size).toBe(6);
      await receiver.await(4, 'the first POSTs (4 at once)');
      expect(sim.simulator.events({ provider: 'sendgrid', status: 'pending' })).toHaveLength(6);
    });

    it('records an event as failed when every retry was refused', async () => {
      receiver.answer = 500;
      const messageId = await send();

      await until(
        () => sim.simulator.events({ messageId })[0]?.status === 'failed',
        20_000,
        'the event to fail',
      );
      expect(sim.simulator.events({ messageId })[0]!.attempts).toHaveLength(3);
    });

    it('sends nothing when no webhook URL is set, and nothing for events: []', async () => {
      sim.simulator.setWebhook('sendgrid', { url: receiver.url('/sendgrid'), events: [] });
      await send();
      sim.simulator.setWebhook('sendgrid', {});
      await send();
      // Events are planned when a send is accepted: the first two planned none.
      sim.simulator.setWebhook('sendgrid', { url: receiver.url('/sendgrid') });
      await send({ to: 'last@example.com' });

      const [request] = await receiver.await(1);
      expect(eventsOf(request!)[0]!.email).toBe('last@example.com');
      expect(sim.simulator.events({ provider: 'sendgrid' })).toHaveLength(1);
    });
  });
});
