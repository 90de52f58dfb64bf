import { createHmac, timingSafeEqual } from 'node:crypto';
import { EVENT_EMAIL_RECIPIENTS, ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { SANDBOX_CREDENTIALS } from '../../src/config/sandbox-credentials';
import { mailgunClient } from './sdk-clients';
import { useSimulator } from './simulator-fixture';
import { type ReceivedRequest, useWebhookReceiver } from './webhook-receiver';

const { domain } = SANDBOX_CREDENTIALS.mailgun;

interface MailgunWebhook {
  signature: { timestamp: string; token: string; signature: string };
  'event-data': Record<string, unknown> & {
    message: { headers: Record<string, string> };
  };
}
const bodyOf = (request: ReceivedRequest) => JSON.parse(request.rawBody) as MailgunWebhook;

/** Mailgun's documented check: hex HMAC-SHA256 of timestamp + token with the signing key. */
function verifies(
  signingKey: string,
  { timestamp, token, signature }: MailgunWebhook['signature'],
) {
  const expected = createHmac('sha256', signingKey).update(timestamp.concat(token)).digest('hex');
  return (
    expected.length === signature.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  );
}

describe(ProviderSimulator.name, () => {
  const sim = useSimulator({ events: { retryDelaysMs: [20] } });
  const receiver = useWebhookReceiver();
  const signingKey = () => sim.simulator.webhooks().mailgun.signingKey!;
  beforeEach(() => sim.simulator.setWebhook('mailgun', { url: receiver.url('/mailgun') }));

  const send = async (to: string, extra: Record<string, string> = {}) => {
    const { id } = await mailgunClient(sim.url).messages.create(domain, {
      to,
      from: 'Ops <ops@example.com>',
      subject: 'Your order',
      text: 'It shipped.',
      'v:herald_notification_id': 'ntf_1',
      'v:orderId': '123',
      ...extra,
    } as unknown as Parameters<ReturnType<typeof mailgunClient>['messages']['create']>[1]);
    return id!;
  };

  describe('mailgun events', () => {
    it('posts a delivered event whose signature object verifies with the signing key', async () => {
      const id = await send('ada@example.com', { 'o:tag': 'orders' });

      const [request] = await receiver.await(1);
      expect(request!.headers['content-type']).toBe('application/json');
      const body = bodyOf(request!);
      expect(verifies(signingKey(), body.signature)).toBe(true);
      expect(body.signature.token).toMatch(/^[0-9a-f]{50}$/);
      expect(body['event-data']).toMatchObject({
        event: 'delivered',
        'log-level': 'info',
        recipient: 'ada@example.com',
        'recipient-domain': 'example.com',
        'user-variables': { herald_notification_id: 'ntf_1', orderId: '123' },
        tags: ['orders'],
        'delivery-status': { code: 250 },
      });
      expect(id).toMatch(/^<.+>$/);
      expect(body['event-data'].message.headers['message-id']).toBe(id.slice(1, -1));
      expect(body['event-data'].id).toEqual(expect.any(String));
      expect(body['event-data'].timestamp).toEqual(expect.any(Number));
    });

    it('fails the check when the timestamp, token or key differs', async () => {
      await send('ada@example.com');

      const [request] = await receiver.await(1);
      const { signature } = bodyOf(request!);
      expect(
        verifies(signingKey(), {
          ...signature,
          timestamp: String(Number(signature.timestamp) + 1),
        }),
      ).toBe(false);
      expect(verifies(signingKey(), { ...signature, token: `${signature.token.slice(1)}0` })).toBe(
        false,
      );
      expect(verifies('another-key', signature)).toBe(false);
    });

    it.each([
      [
        EVENT_EMAIL_RECIPIENTS.bounce,
        [{ event: 'failed', severity: 'permanent', reason: 'bounce' }],
      ],
      [
        EVENT_EMAIL_RECIPIENTS.deferred,
        [{ event: 'failed', severity: 'temporary' }, { event: 'delivered' }],
      ],
      [EVENT_EMAIL_RECIPIENTS.complaint, [{ event: 'delivered' }, { event: 'complained' }]],
    ])('follows a send to %s with %j', async (to, expected) => {
      await send(to);

      const requests = await receiver.await(expected.length);
      expect(requests.map((r) => bodyOf(r)['event-data'])).toEqual(
        expected.map((e) => expect.objectContaining({ ...e, recipient: to })),
      );
      expect(requests.every((r) => verifies(signingKey(), bodyOf(r).signature))).toBe(true);
      expect(new Set(requests.map((r) => bodyOf(r)['event-data'].id)).size).toBe(expected.length);
    });

    it('signs with the key it was given', async () => {
      const other = new ProviderSimulator({
        events: {
          mailgunSigningKey: 'key-of-the-dashboard',
          webhooks: { mailgun: { url: receiver.url() } },
        },
      });
      try {
        const url = await other.start();
        await mailgunClient(url).messages.create(domain, {
          to: 'ada@example.com',
          from: 'ops@example.com',
          subject: 'Hi',
          text: 'Hi',
        });
        const [request] = await receiver.await(1);
        expect(verifies('key-of-the-dashboard', bodyOf(request!).signature)).toBe(true);
      } finally {
        await other.stop();
      }
    });
  });
});
