import {
  type EventRecord,
  ProviderSimulator,
  type WebhookView,
} from '../../src/sandbox/provider-simulator';
import { sendgridMail } from './sdk-clients';
import { useSimulator } from './simulator-fixture';
import { useWebhookReceiver } from './webhook-receiver';

const json = (body: unknown) => ({
  method: 'PUT',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe(ProviderSimulator.name, () => {
  const receiver = useWebhookReceiver();
  const sim = useSimulator({ events: { webhooks: { mailgun: { url: 'http://127.0.0.1:9/x' } } } });
  const get = async <T>(path: string) => (await (await fetch(`${sim.url}${path}`)).json()) as T;
  const webhooks = () => get<Record<string, WebhookView>>('/_sandbox/webhooks');
  const events = (query = '') => get<{ events: EventRecord[] }>(`/_sandbox/events${query}`);

  describe('the events control API', () => {
    it('GET /_sandbox/webhooks shows each provider and what verifies its events', async () => {
      const shown = await webhooks();

      expect(Object.keys(shown)).toEqual(['sendgrid', 'mailgun', 'ses', 'twilio']);
      expect(shown.sendgrid).toEqual({
        delayMs: 0,
        repeat: 1,
        publicKey: sim.simulator.webhooks().sendgrid.publicKey,
      });
      expect(shown.mailgun).toMatchObject({
        url: 'http://127.0.0.1:9/x',
        signingKey: 'herald-sandbox-webhook-signing-key',
      });
      expect(shown.ses).toMatchObject({
        topicArn: 'arn:aws:sns:us-east-1:000000000000:herald-sandbox-ses-events',
        signingCertUrl: expect.stringMatching(
          new RegExp(`^${sim.url}/_sandbox/sns/SimpleNotificationService-[0-9a-f]{32}\\.pem$`),
        ),
        subscription: 'none',
      });
      expect(shown.twilio).toMatchObject({ authToken: 'herald-sandbox-auth-token' });
    });

    it('serves the SNS signing certificate at signingCertUrl', async () => {
      const response = await fetch(sim.simulator.webhooks().ses.signingCertUrl!);

      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect((await fetch(`${sim.url}/_sandbox/sns/other.pem`)).status).toBe(404);
    });

    it('PUT /_sandbox/webhooks/:provider replaces the settings; events follow them', async () => {
      const put = await fetch(
        `${sim.url}/_sandbox/webhooks/sendgrid`,
        json({ url: receiver.url('/sg'), events: ['bounce'], repeat: 2 }),
      );
      expect(put.status).toBe(200);
      expect(await put.json()).toMatchObject({
        url: receiver.url('/sg'),
        events: ['bounce'],
        repeat: 2,
      });

      const [response] = await sendgridMail(sim.url).send({
        to: 'ada@example.com',
        from: 'ops@example.com',
        subject: 'Hi',
        text: 'Hi',
      });
      const messageId = response.headers['x-message-id'] as string;
      await receiver.await(2);

      await vi.waitFor(async () => {
        const { events: sent } = await events(`?provider=sendgrid&messageId=${messageId}`);
        expect(sent.map((e) => [e.kind, e.type, e.copy, e.status])).toEqual([
          ['bounce', 'bounce', 2, 'delivered'],
          ['bounce', 'bounce', 1, 'delivered'],
        ]);
        expect(sent[0]!.request!.headers['x-twilio-email-event-webhook-signature']).toEqual(
          expect.any(String),
        );
      });
      expect((await fetch(`${sim.url}/_sandbox/events`, { method: 'DELETE' })).status).toBe(204);
      expect((await events()).events).toEqual([]);
    });

    it('answers 400 naming the field for bad settings, 404 for a provider without events', async () => {
      const bad = await fetch(`${sim.url}/_sandbox/webhooks/twilio`, json({ events: ['bounce'] }));
      expect(bad.status).toBe(400);
      expect(JSON.stringify(await bad.json())).toContain('events.0');

      const slack = await fetch(`${sim.url}/_sandbox/webhooks/slack`, json({}));
      expect(slack.status).toBe(404);
      expect((await fetch(`${sim.url}/_sandbox/events?provider=slack`)).status).toBe(400);
      expect((await fetch(`${sim.url}/_sandbox/events?status=lost`)).status).toBe(400);
    });

    it('POST /_sandbox/reset puts the webhooks back as they were given at start', async () => {
      await fetch(`${sim.url}/_sandbox/webhooks/mailgun`, json({ events: [] }));

      await fetch(`${sim.url}/_sandbox/reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });

      expect((await webhooks()).mailgun).toMatchObject({
        url: 'http://127.0.0.1:9/x',
      });
      expect((await webhooks()).mailgun!.events).toBeUndefined();
    });
  });
});
