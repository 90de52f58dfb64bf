import { SendgridChannel } from '../../src/channels/sendgrid.channel';
import type { SendgridConfig } from '../../src/config/herald-config';
import type { EmailMessage } from '../../src/notifications/notification-message.schema';
import { REJECTED_EMAIL_DOMAIN } from '../../src/sandbox/provider-simulator';
import {
  DEFAULT_FROM,
  NOTIFICATION_ID,
  type FaultCase,
  classified,
  emailMessage,
  expectSafe,
  fullEmailMessage,
  useChannel,
  addresses,
  largestEmailMessage,
  largestMetadata,
} from './channel-fixtures';
import { describeProviderContract } from './contract-table';
import { describeDeadline } from './deadline-contract';

describe(SendgridChannel.name, () => {
  const fixture = useChannel({
    provider: 'sendgrid',
    create: (config) => new SendgridChannel(config, DEFAULT_FROM),
    message: emailMessage,
  });
  const { sim, channel, send } = fixture;

  describe('when SendGrid accepts the message', () => {
    it('resolves with the X-Message-Id SendGrid answered and when', async () => {
      const before = Date.now();
      const result = await send(channel());

      const [captured] = sim.simulator.messages({ provider: 'sendgrid' });
      expect(result.providerMessageId).toBe(captured!.id);
      expect(Date.parse(result.acceptedAt)).toBeGreaterThanOrEqual(before - 1);
      expect(captured!.notificationId).toBe(NOTIFICATION_ID);
      expect(sim.simulator.requests('sendgrid')).toBe(1);
    });
  });

  describe('when SendGrid fails', () => {
    const cases: Record<string, FaultCase<SendgridConfig, EmailMessage>> = {
      'answers 503': {
        behaviour: { mode: 'fail', status: 503 },
        expected: { errorClass: 'unavailable', status: 503, ambiguous: false },
      },
      'answers 500 with an HTML page': {
        behaviour: { mode: 'fail', status: 500, body: 'html' },
        expected: { errorClass: 'unavailable', status: 500, ambiguous: false },
      },
      'throttles with Retry-After': {
        behaviour: { mode: 'throttle', retryAfterSeconds: 7 },
        expected: { errorClass: 'throttled', status: 429, retryAfterMs: 7_000, ambiguous: false },
      },
      'resets the connection': {
        behaviour: { mode: 'refuse' },
        expected: { errorClass: 'unavailable', providerCode: 'ECONNRESET', ambiguous: true },
      },
      'refuses the API key': {
        config: { apiKey: 'SG.wrong-key' },
        expected: { errorClass: 'misconfigured', status: 401, ambiguous: false },
      },
      'forbids the sender (403)': {
        behaviour: { mode: 'fail', status: 403 },
        expected: { errorClass: 'misconfigured', status: 403 },
      },
      'refuses the recipient': {
        message: { to: [`ada@${REJECTED_EMAIL_DOMAIN}`] },
        expected: {
          errorClass: 'rejected',
          status: 400,
          providerCode: 'personalizations.0.to.0.email',
          ambiguous: false,
        },
      },
    };

    it.each(Object.entries(cases))(
      'classifies it when SendGrid %s, after exactly one request',
      async (_name, c) => {
        const { error } = await fixture.failure(c);

        expect(classified(error)).toMatchObject({ retryAfterMs: undefined, ...c.expected });
        expectSafe(error, ['It is on its way.', 'Your order shipped', 'ada@']);
        expect(sim.simulator.requests('sendgrid')).toBe(1);
      },
    );
  });

  describeDeadline(fixture);

  describeProviderContract(fixture, {
    'a full message (every optional field set)': { message: fullEmailMessage },
    'the largest message Herald accepts': { message: largestEmailMessage },
    'the most recipients SendGrid takes (1000)': {
      message: () => emailMessage({ to: addresses(1000) }),
    },
    'one recipient more than SendGrid takes': {
      message: () => emailMessage({ to: addresses(1001) }),
      refused: { errorClass: 'rejected', status: 400, providerCode: 'personalizations' },
    },
    // Herald's intake counts metadata in characters: 20 values of 256 three-byte characters
    // pass it, and exceed SendGrid's 10,000 bytes of custom args.
    'metadata over 10,000 bytes of custom args': {
      message: () =>
        emailMessage({
          metadata: Object.fromEntries(
            Object.keys(largestMetadata()).map((key) => [key, '€'.repeat(256)]),
          ),
        }),
      refused: {
        errorClass: 'rejected',
        status: 400,
        providerCode: 'personalizations.0.custom_args',
      },
    },
  });

  describe('mapping a full message', () => {
    it('sends subject, text, html, cc, bcc, reply-to, metadata and the notification id', async () => {
      await send(channel(), fullEmailMessage());

      const [captured] = sim.simulator.messages({ provider: 'sendgrid' });
      expect(captured!.raw).toEqual({
        from: { email: 'orders@example.com' },
        subject: 'Your order #123 shipped',
        personalizations: [
          {
            to: [{ email: 'ada@example.com' }, { email: 'grace@example.com' }],
            cc: [{ email: 'linus@example.com' }],
            bcc: [{ email: 'audit@example.com' }],
            custom_args: {
              orderId: '123',
              tenant: 'acme',
              herald_notification_id: NOTIFICATION_ID,
            },
          },
        ],
        content: [
          { type: 'text/plain', value: 'It is on its way.' },
          { type: 'text/html', value: '<p>It is on its <b>way</b>.</p>' },
        ],
        reply_to: { email: 'support@example.com' },
      });
      expect(captured).toMatchObject({
        to: ['ada@example.com', 'grace@example.com'],
        cc: ['linus@example.com'],
        bcc: ['audit@example.com'],
        replyTo: 'support@example.com',
        metadata: { orderId: '123', tenant: 'acme' },
        notificationId: NOTIFICATION_ID,
      });
    });

    it('sends from HERALD_EMAIL_FROM when the message names no sender', async () => {
      await send(channel(), emailMessage());

      expect(sim.simulator.messages({ provider: 'sendgrid' })[0]!.from).toBe(DEFAULT_FROM);
    });

    it('lists an address once when the message repeats it across to, cc and bcc', async () => {
      await send(
        channel(),
        emailMessage({
          to: ['ada@example.com'],
          cc: ['ADA@example.com', 'bob@example.com'],
          bcc: ['bob@example.com'],
        }),
      );

      const [captured] = sim.simulator.messages({ provider: 'sendgrid' });
      expect(captured).toMatchObject({ to: ['ada@example.com'], cc: ['bob@example.com'] });
      expect(captured!.bcc).toBeUndefined();
    });
  });
});
