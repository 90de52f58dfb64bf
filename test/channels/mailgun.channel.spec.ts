import { MailgunChannel } from '../../src/channels/mailgun.channel';
import type { MailgunConfig } from '../../src/config/herald-config';
import type { EmailMessage } from '../../src/notifications/notification-message.schema';
import { REJECTED_EMAIL_DOMAIN } from '../../src/sandbox/provider-simulator';
import {
  DEFAULT_FROM,
  NOTIFICATION_ID,
  type FaultCase,
  classified,
  emailMessage,
  expectSafe,
  failureOf,
  fullEmailMessage,
  useChannel,
  addresses,
  largestEmailMessage,
} from './channel-fixtures';
import { describeProviderContract } from './contract-table';
import { describeDeadline } from './deadline-contract';

describe(MailgunChannel.name, () => {
  const fixture = useChannel({
    provider: 'mailgun',
    create: (config) => new MailgunChannel(config, DEFAULT_FROM),
    message: emailMessage,
  });
  const { sim, channel, send } = fixture;

  describe('when Mailgun accepts the message', () => {
    it('resolves with the id Mailgun answered', async () => {
      const result = await send(channel());

      const [captured] = sim.simulator.messages({ provider: 'mailgun' });
      expect(result.providerMessageId).toBe(captured!.id);
      expect(result.acceptedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(captured!.notificationId).toBe(NOTIFICATION_ID);
      expect(sim.simulator.requests('mailgun')).toBe(1);
    });
  });

  describe('when Mailgun fails', () => {
    const cases: Record<string, FaultCase<MailgunConfig, EmailMessage>> = {
      'answers 503': {
        behaviour: { mode: 'fail', status: 503 },
        expected: { errorClass: 'unavailable', status: 503, ambiguous: false },
      },
      'answers 502 with an HTML page': {
        behaviour: { mode: 'fail', status: 502, body: 'html' },
        expected: { errorClass: 'unavailable', status: 502 },
      },
      // mailgun.js exposes no response headers: the Retry-After it sent cannot be read.
      'throttles (Retry-After unreadable through mailgun.js)': {
        behaviour: { mode: 'throttle', retryAfterSeconds: 7 },
        expected: { errorClass: 'throttled', status: 429, retryAfterMs: undefined },
      },
      // mailgun.js reports these as status 400: they must not look like a refused message.
      'resets the connection (reported by mailgun.js as a 400)': {
        behaviour: { mode: 'refuse' },
        expected: {
          errorClass: 'unavailable',
          status: undefined,
          providerCode: 'ECONNRESET',
          ambiguous: true,
        },
      },
      'cannot be reached (refused, reported by mailgun.js as a 400)': {
        config: { url: 'http://127.0.0.1:1' },
        expected: {
          errorClass: 'unavailable',
          status: undefined,
          providerCode: 'ECONNREFUSED',
          ambiguous: false,
        },
      },
      'refuses the API key': {
        config: { apiKey: 'key-wrong' },
        expected: { errorClass: 'misconfigured', status: 401 },
      },
      'does not know the domain': {
        config: { domain: 'unknown.example.com' },
        expected: { errorClass: 'misconfigured', status: 404 },
      },
      'refuses the recipient': {
        message: { to: [`ada@${REJECTED_EMAIL_DOMAIN}`] },
        expected: { errorClass: 'rejected', status: 400, ambiguous: false },
      },
    };

    it.each(Object.entries(cases))('classifies it when Mailgun %s', async (_name, c) => {
      const { error } = await fixture.failure(c);

      expect(classified(error)).toMatchObject({ retryAfterMs: undefined, ...c.expected });
      expectSafe(error, [
        'It is on its way.',
        'Your order shipped',
        `ada@${REJECTED_EMAIL_DOMAIN}`,
      ]);
      const reachable = !c.config?.url;
      expect(sim.simulator.requests('mailgun')).toBe(reachable ? 1 : 0);
    });

    it("keeps Mailgun's explanation of a refusal in the detail", async () => {
      const { error } = await failureOf(() =>
        send(channel(), emailMessage({ to: [`ada@${REJECTED_EMAIL_DOMAIN}`] })),
      );

      expect(error.detail).toBe(
        'HTTP 400: to parameter is not a valid address. please check documentation',
      );
    });
  });

  describeDeadline(fixture);

  describeProviderContract(fixture, {
    'a full message (every optional field set)': { message: fullEmailMessage },
    'the largest message Herald accepts': { message: largestEmailMessage },
    'the most recipients Mailgun takes (1000)': {
      message: () => emailMessage({ to: addresses(1000) }),
    },
    'one recipient more than Mailgun takes': {
      message: () => emailMessage({ to: addresses(1001) }),
      refused: { errorClass: 'rejected', status: 400 },
    },
  });

  describe('mapping a full message', () => {
    it('sends subject, text, html, cc, bcc, reply-to, metadata and the notification id', async () => {
      await send(channel(), fullEmailMessage());

      const [captured] = sim.simulator.messages({ provider: 'mailgun' });
      expect(captured!.raw).toEqual({
        from: 'orders@example.com',
        to: ['ada@example.com', 'grace@example.com'],
        cc: 'linus@example.com',
        bcc: 'audit@example.com',
        'h:Reply-To': 'support@example.com',
        subject: 'Your order #123 shipped',
        text: 'It is on its way.',
        html: '<p>It is on its <b>way</b>.</p>',
        'v:orderId': '123',
        'v:tenant': 'acme',
        'v:herald_notification_id': NOTIFICATION_ID,
      });
      expect(captured).toMatchObject({
        replyTo: 'support@example.com',
        metadata: { orderId: '123', tenant: 'acme' },
        notificationId: NOTIFICATION_ID,
      });
    });

    it('sends from HERALD_EMAIL_FROM when the message names no sender', async () => {
      await send(channel(), emailMessage());

      expect(sim.simulator.messages({ provider: 'mailgun' })[0]!.from).toBe(DEFAULT_FROM);
    });
  });
});
