import { SesChannel } from '../../src/channels/ses.channel';
import type { SesConfig } from '../../src/config/herald-config';
import type { EmailMessage } from '../../src/notifications/notification-message.schema';
import { REJECTED_EMAIL_DOMAIN } from '../../src/sandbox/provider-simulator';
import { SANDBOX_CREDENTIALS } from '../../src/config/sandbox-credentials';
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
} from './channel-fixtures';
import { describeProviderContract } from './contract-table';
import { describeDeadline } from './deadline-contract';

describe(SesChannel.name, () => {
  const fixture = useChannel({
    provider: 'ses',
    create: (config) => new SesChannel(config, DEFAULT_FROM),
    message: emailMessage,
  });
  const { sim, channel, send } = fixture;

  describe('when SES accepts the message', () => {
    it('resolves with the MessageId SES answered', async () => {
      const result = await send(channel());

      const [captured] = sim.simulator.messages({ provider: 'ses' });
      expect(result.providerMessageId).toBe(captured!.id);
      expect(result.acceptedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(captured!.notificationId).toBe(NOTIFICATION_ID);
      expect(sim.simulator.requests('ses')).toBe(1);
    });
  });

  describe('when SES fails', () => {
    const cases: Record<string, FaultCase<SesConfig, EmailMessage>> = {
      'answers 503': {
        behaviour: { mode: 'fail', status: 503 },
        expected: { errorClass: 'unavailable', status: 503, providerCode: 'ServiceUnavailable' },
      },
      // The SDK throws a SyntaxError on a non-JSON body; it still carries the status.
      'answers 503 with an HTML page': {
        behaviour: { mode: 'fail', status: 503, body: 'html' },
        expected: { errorClass: 'unavailable', status: 503, providerCode: undefined },
      },
      'answers 500': {
        behaviour: { mode: 'fail', status: 500 },
        expected: { errorClass: 'unavailable', status: 500, providerCode: 'InternalFailure' },
      },
      'throttles with Retry-After': {
        behaviour: { mode: 'throttle', retryAfterSeconds: 7 },
        expected: {
          errorClass: 'throttled',
          status: 429,
          providerCode: 'TooManyRequestsException',
          retryAfterMs: 7_000,
        },
      },
      'resets the connection': {
        behaviour: { mode: 'refuse' },
        expected: { errorClass: 'unavailable', providerCode: 'ECONNRESET', ambiguous: true },
      },
      'refuses the signature (wrong secret key)': {
        config: {
          credentials: {
            accessKeyId: SANDBOX_CREDENTIALS.ses.accessKeyId,
            secretAccessKey: 'not-the-secret',
          },
        },
        expected: {
          errorClass: 'misconfigured',
          status: 403,
          providerCode: 'InvalidSignatureException',
        },
      },
      'does not know the access key': {
        config: {
          credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
        },
        expected: {
          errorClass: 'misconfigured',
          status: 403,
          providerCode: 'UnrecognizedClientException',
        },
      },
      'rejects the recipient (MessageRejected)': {
        message: { to: [`ada@${REJECTED_EMAIL_DOMAIN}`] },
        expected: {
          errorClass: 'rejected',
          status: 400,
          providerCode: 'MessageRejected',
          ambiguous: false,
        },
      },
    };

    it.each(Object.entries(cases))('classifies it when SES %s', async (_name, c) => {
      const { error } = await fixture.failure(c);

      expect(classified(error)).toMatchObject({
        retryAfterMs: undefined,
        ambiguous: false,
        ...c.expected,
      });
      expectSafe(error, [
        'It is on its way.',
        'Your order shipped',
        `ada@${REJECTED_EMAIL_DOMAIN}`,
        'not-the-secret',
      ]);
      expect(sim.simulator.requests('ses')).toBe(1);
    });
  });

  describeDeadline(fixture);

  describeProviderContract(fixture, {
    'a full message (every optional field set)': { message: fullEmailMessage },
    'the largest message Herald accepts': { message: largestEmailMessage },
    'one recipient more than SES takes (51)': {
      message: () => emailMessage({ to: addresses(49), cc: addresses(2, 'cc') }),
      refused: { errorClass: 'rejected', status: 400, providerCode: 'BadRequestException' },
    },
  });

  describe('mapping a full message', () => {
    it('sends subject, text, html, cc, bcc, reply-to, metadata and the notification id', async () => {
      await send(channel(), fullEmailMessage());

      const [captured] = sim.simulator.messages({ provider: 'ses' });
      expect(captured!.raw).toEqual({
        FromEmailAddress: 'orders@example.com',
        Destination: {
          ToAddresses: ['ada@example.com', 'grace@example.com'],
          CcAddresses: ['linus@example.com'],
          BccAddresses: ['audit@example.com'],
        },
        ReplyToAddresses: ['support@example.com'],
        Content: {
          Simple: {
            Subject: { Data: 'Your order #123 shipped', Charset: 'UTF-8' },
            Body: {
              Text: { Data: 'It is on its way.', Charset: 'UTF-8' },
              Html: { Data: '<p>It is on its <b>way</b>.</p>', Charset: 'UTF-8' },
            },
          },
        },
        EmailTags: [
          { Name: 'orderId', Value: '123' },
          { Name: 'tenant', Value: 'acme' },
          { Name: 'herald_notification_id', Value: NOTIFICATION_ID },
        ],
      });
      expect(captured).toMatchObject({
        replyTo: 'support@example.com',
        metadata: { orderId: '123', tenant: 'acme' },
        notificationId: NOTIFICATION_ID,
      });
    });

    it('reduces tag names and values to the characters SES allows', async () => {
      await send(channel(), emailMessage({ metadata: { 'order.id': 'A/12 3', empty: '' } }));

      const [captured] = sim.simulator.messages({ provider: 'ses' });
      expect(captured!.metadata).toEqual({ order_id: 'A_12_3' });
    });

    it('sends from HERALD_EMAIL_FROM when the message names no sender', async () => {
      await send(channel(), emailMessage());

      expect(sim.simulator.messages({ provider: 'ses' })[0]!.from).toBe(DEFAULT_FROM);
    });
  });
});
