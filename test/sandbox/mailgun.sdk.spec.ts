import {
  type ProviderBehaviour,
  ProviderSimulator,
  REJECTED_EMAIL_DOMAIN,
} from '../../src/sandbox/provider-simulator';
import { SANDBOX_CREDENTIALS } from '../../src/config/sandbox-credentials';
import { type SdkError, failureOf, mailgunClient } from './sdk-clients';
import { useSimulator } from './simulator-fixture';

const { domain } = SANDBOX_CREDENTIALS.mailgun;

const message = {
  to: ['ada@example.com', 'alan@example.com'],
  cc: 'grace@example.com',
  from: 'Ops <ops@example.com>',
  'h:Reply-To': 'help@example.com',
  subject: 'Your order',
  text: 'It shipped.',
  html: '<p>It shipped.</p>',
  'v:herald_notification_id': 'ntf_1',
  'v:orderId': '123',
};

/** What a channel can read from mailgun.js's error: no headers, a status and two texts. */
const seen = (err: SdkError) => ({
  type: err.type,
  status: err.status,
  message: err.message,
  details: err.details,
});

describe(ProviderSimulator.name, () => {
  const sim = useSimulator();
  const send = (
    data: Record<string, unknown> = {},
    options: { key?: string; timeoutMs?: number } = {},
    to: string = domain,
  ) =>
    mailgunClient(sim.url, options).messages.create(to, {
      ...message,
      ...data,
    } as unknown as Parameters<ReturnType<typeof mailgunClient>['messages']['create']>[1]);

  describe('mailgun', () => {
    it('answers 200 with {id, message} and captures the message', async () => {
      const result = await send();

      expect(result).toMatchObject({ status: 200, message: 'Queued. Thank you.' });
      expect(result.id).toMatch(new RegExp(`^<\\d{14}\\.[0-9a-f]+@${domain}>$`));
      expect(sim.simulator.messages()).toEqual([
        expect.objectContaining({
          id: result.id,
          provider: 'mailgun',
          to: ['ada@example.com', 'alan@example.com'],
          cc: ['grace@example.com'],
          from: 'Ops <ops@example.com>',
          replyTo: 'help@example.com',
          subject: 'Your order',
          text: 'It shipped.',
          html: '<p>It shipped.</p>',
          notificationId: 'ntf_1',
          metadata: { orderId: '123' },
        }),
      ]);
    });

    it('refuses a wrong key with a bare 401 Forbidden', async () => {
      const err = await failureOf(() => send({}, { key: 'key-wrong' }));

      expect(seen(err)).toEqual({
        type: 'MailgunAPIError',
        status: 401,
        message: 'Unauthorized',
        details: 'Forbidden',
      });
    });

    it('answers 404 for a domain the account does not have', async () => {
      const err = await failureOf(() => send({}, {}, 'other.example.com'));

      expect(seen(err)).toMatchObject({
        status: 404,
        details: 'Domain not found: other.example.com',
      });
    });

    it.each<[string, Record<string, unknown>, string]>([
      [
        'a malformed recipient',
        { to: 'not-an-address' },
        'to parameter is not a valid address. please check documentation',
      ],
      [
        'a rejected recipient',
        { to: `bounce@${REJECTED_EMAIL_DOMAIN}` },
        'to parameter is not a valid address. please check documentation',
      ],
      [
        'a malformed sender',
        { from: 'ops' },
        'from parameter is not a valid address. please check documentation',
      ],
      ['a missing subject', { subject: '' }, "'subject' parameter is missing"],
      [
        'missing content',
        { text: '', html: '' },
        "Need at least one of 'text', 'html' or 'template' parameters specified",
      ],
    ])("answers 400 with Mailgun's message for %s", async (_case, data, details) => {
      const err = await failureOf(() => send(data));

      expect(seen(err)).toEqual({
        type: 'MailgunAPIError',
        status: 400,
        message: 'Bad Request',
        details,
      });
    });

    it.each<[string, ProviderBehaviour, ReturnType<typeof seen>]>([
      [
        'fail',
        { mode: 'fail' },
        {
          type: 'MailgunAPIError',
          status: 503,
          message: 'Service Unavailable',
          details: 'Service Unavailable',
        },
      ],
      [
        'throttle',
        { mode: 'throttle', retryAfterSeconds: 7 },
        {
          type: 'MailgunAPIError',
          status: 429,
          message: 'Too Many Requests',
          details: 'Too many requests',
        },
      ],
      // mailgun.js reports network failures as status 400: only `message` tells them apart.
      [
        'hang',
        { mode: 'hang' },
        {
          type: 'MailgunAPIError',
          status: 400,
          message: 'ECONNABORTED',
          details: 'timeout of 200ms exceeded',
        },
      ],
      [
        'refuse',
        { mode: 'refuse' },
        { type: 'MailgunAPIError', status: 400, message: 'ECONNRESET', details: 'read ECONNRESET' },
      ],
    ])(
      'surfaces %s as Mailgun would, in exactly one request',
      async (_mode, behaviour, expected) => {
        sim.simulator.setBehaviour('mailgun', behaviour);

        const err = await failureOf(() => send({}, { timeoutMs: 200 }));

        expect(seen(err)).toEqual(expected);
        expect(sim.simulator.requests('mailgun')).toBe(1);
        expect(sim.simulator.messages()).toEqual([]);
      },
    );

    it('sees the connection closed when the client gives up on a hung request', async () => {
      sim.simulator.setBehaviour('mailgun', { mode: 'hang' });

      await failureOf(() => send({}, { timeoutMs: 100 }));

      await vi.waitFor(() => expect(sim.simulator.closedConnections('mailgun')).toBe(1));
    });
  });

  describe('mailgun contract', () => {
    it("refuses a message without from, with Mailgun's 400 {message}", async () => {
      const err = await failureOf(() => send({ from: undefined }));

      expect(seen(err)).toMatchObject({
        type: 'MailgunAPIError',
        status: 400,
        details: "'from' parameter is missing",
      });
      expect(sim.simulator.messages()).toEqual([]);
      expect(sim.simulator.contractBreaches('mailgun')).toEqual([
        expect.objectContaining({
          status: 400,
          violations: [{ field: 'from', message: "'from' parameter is missing" }],
        }),
      ]);
    });

    it('refuses a fourth tag', async () => {
      const err = await failureOf(() => send({ 'o:tag': ['a', 'b', 'c', 'd'] }));

      expect(seen(err)).toMatchObject({
        status: 400,
        details: 'Too many tags: at most 3 per message',
      });
    });
  });
});
