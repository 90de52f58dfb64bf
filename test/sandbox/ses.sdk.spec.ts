import { SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import {
  type ProviderBehaviour,
  ProviderSimulator,
  REJECTED_EMAIL_DOMAIN,
} from '../../src/sandbox/provider-simulator';
import { type SdkError, failureOf, sesClient } from './sdk-clients';
import { useSimulator } from './simulator-fixture';

const message: SendEmailCommandInput = {
  FromEmailAddress: 'ops@example.com',
  Destination: { ToAddresses: ['ada@example.com'], BccAddresses: ['audit@example.com'] },
  ReplyToAddresses: ['help@example.com'],
  Content: {
    Simple: {
      Subject: { Data: 'Your order' },
      Body: { Text: { Data: 'It shipped.' }, Html: { Data: '<p>It shipped.</p>' } },
    },
  },
  EmailTags: [
    { Name: 'herald_notification_id', Value: 'ntf_1' },
    { Name: 'orderId', Value: '123' },
  ],
};

/** What a channel can read from the AWS SDK's error. */
const seen = (err: SdkError) => ({
  name: err.name,
  status: err.$metadata?.httpStatusCode,
  fault: err.$fault,
  retryAfter: err.$response?.headers?.['retry-after'],
  message: err.message,
});

describe(ProviderSimulator.name, () => {
  const sim = useSimulator();
  const send = (
    input: Partial<SendEmailCommandInput> = {},
    credentials: { accessKeyId?: string; secretAccessKey?: string } = {},
    timeoutMs = 2_000,
  ) =>
    sesClient(sim.url, credentials).send(new SendEmailCommand({ ...message, ...input }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });

  describe('ses', () => {
    it('answers 200 with a MessageId and captures the message', async () => {
      const result = await send();

      expect(result.$metadata.httpStatusCode).toBe(200);
      expect(result.MessageId).toMatch(/^0100[0-9a-f]{12}-[0-9a-f-]{36}-000000$/);
      expect(sim.simulator.messages()).toEqual([
        expect.objectContaining({
          id: result.MessageId,
          provider: 'ses',
          to: ['ada@example.com'],
          bcc: ['audit@example.com'],
          from: 'ops@example.com',
          replyTo: 'help@example.com',
          subject: 'Your order',
          text: 'It shipped.',
          html: '<p>It shipped.</p>',
          notificationId: 'ntf_1',
          metadata: { orderId: '123' },
        }),
      ]);
    });

    it.each<[string, { accessKeyId?: string; secretAccessKey?: string }, string]>([
      [
        'an unknown access key',
        { accessKeyId: 'AKIAUNKNOWN000000000' },
        'UnrecognizedClientException',
      ],
      ['a wrong secret key', { secretAccessKey: 'wrong-secret' }, 'InvalidSignatureException'],
    ])('refuses %s with 403 and its AWS error type', async (_case, credentials, name) => {
      const err = await failureOf(() => send({}, credentials));

      expect(seen(err)).toMatchObject({ name, status: 403, fault: 'client' });
    });

    it.each<[string, Partial<SendEmailCommandInput>, string, RegExp]>([
      [
        'a malformed recipient',
        { Destination: { ToAddresses: ['not-an-address'] } },
        'BadRequestException',
        /@domain/,
      ],
      ['no recipient', { Destination: { ToAddresses: [] } }, 'BadRequestException', /recipient/],
      [
        'a missing subject',
        { Content: { Simple: { Subject: { Data: '' }, Body: { Text: { Data: 'x' } } } } },
        'BadRequestException',
        /Subject/,
      ],
      [
        'missing content',
        { Content: { Simple: { Subject: { Data: 's' }, Body: {} } } },
        'BadRequestException',
        /Text or Html/,
      ],
      [
        'a tag value SES does not allow',
        { EmailTags: [{ Name: 'orderId', Value: 'a b' }] },
        'BadRequestException',
        /Invalid tag value/,
      ],
      [
        'a rejected recipient',
        { Destination: { ToAddresses: [`bounce@${REJECTED_EMAIL_DOMAIN}`] } },
        'MessageRejected',
        /not verified/,
      ],
    ])('answers 400 for %s', async (_case, input, name, text) => {
      const err = await failureOf(() => send(input));

      expect(seen(err)).toMatchObject({ name, status: 400, fault: 'client' });
      expect(err.message).toMatch(text);
    });

    it.each<[string, ProviderBehaviour, Partial<ReturnType<typeof seen>>]>([
      ['fail', { mode: 'fail' }, { name: 'ServiceUnavailable', status: 503, fault: 'server' }],
      [
        'fail 500',
        { mode: 'fail', status: 500 },
        { name: 'InternalFailure', status: 500, fault: 'server' },
      ],
      // A load balancer's HTML page: the SDK cannot parse it, but keeps the status.
      [
        'fail with an HTML body',
        { mode: 'fail', body: 'html' },
        { name: 'SyntaxError', status: 503 },
      ],
      [
        'throttle',
        { mode: 'throttle', retryAfterSeconds: 7 },
        { name: 'TooManyRequestsException', status: 429, fault: 'client', retryAfter: '7' },
      ],
      ['hang', { mode: 'hang' }, { name: 'AbortError', status: undefined }],
      [
        'refuse',
        { mode: 'refuse' },
        { name: 'TimeoutError', status: undefined, message: 'read ECONNRESET' },
      ],
    ])('surfaces %s as SES would, in exactly one request', async (_mode, behaviour, expected) => {
      sim.simulator.setBehaviour('ses', behaviour);

      const err = await failureOf(() => send({}, {}, 200));

      expect(seen(err)).toMatchObject(expected);
      expect(sim.simulator.requests('ses')).toBe(1);
      expect(sim.simulator.messages()).toEqual([]);
    });

    it('sees the connection closed when the abort signal ends a hung request', async () => {
      sim.simulator.setBehaviour('ses', { mode: 'hang' });

      await failureOf(() => send({}, {}, 100));

      await vi.waitFor(() => expect(sim.simulator.closedConnections('ses')).toBe(1));
    });
  });

  describe('ses contract', () => {
    it('refuses a tag name with a space, with BadRequestException', async () => {
      const err = await failureOf(() => send({ EmailTags: [{ Name: 'order id', Value: '123' }] }));

      expect(seen(err)).toMatchObject({
        name: 'BadRequestException',
        status: 400,
        fault: 'client',
        message:
          "Invalid tag name <order id>: only alphanumeric ASCII characters, '_', and '-' are allowed.",
      });
      expect(sim.simulator.messages()).toEqual([]);
      expect(sim.simulator.contractBreaches('ses')).toEqual([
        expect.objectContaining({
          status: 400,
          violations: [expect.objectContaining({ field: 'EmailTags.0.Name' })],
        }),
      ]);
    });

    it('refuses a 51st recipient', async () => {
      const to = Array.from({ length: 51 }, (_, i) => `user${i}@example.com`);

      const err = await failureOf(() => send({ Destination: { ToAddresses: to } }));

      expect(seen(err)).toMatchObject({ name: 'BadRequestException', status: 400 });
    });
  });
});
