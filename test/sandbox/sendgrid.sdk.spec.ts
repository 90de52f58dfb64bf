import type { MailDataRequired } from '@sendgrid/mail';
import {
  type ProviderBehaviour,
  ProviderSimulator,
  REJECTED_EMAIL_DOMAIN,
} from '../../src/sandbox/provider-simulator';
import { type SdkError, failureOf, sendgridMail } from './sdk-clients';
import { useSimulator } from './simulator-fixture';

const message: MailDataRequired = {
  to: 'ada@example.com',
  cc: 'grace@example.com',
  from: 'ops@example.com',
  replyTo: 'help@example.com',
  subject: 'Your order',
  text: 'It shipped.',
  html: '<p>It shipped.</p>',
};

/** What a channel can read from the SDK's error. */
const seen = (err: SdkError) => ({
  type: err.constructor.name,
  status: err.code,
  retryAfter: err.response?.headers?.['retry-after'],
  errors: err.response?.body?.errors,
});

describe(ProviderSimulator.name, () => {
  const sim = useSimulator();
  const send = (data: Partial<MailDataRequired> = {}, options = {}) =>
    sendgridMail(sim.url, options).send({ ...message, ...data } as MailDataRequired);

  describe('sendgrid', () => {
    it('answers 202 with an X-Message-Id and captures the message', async () => {
      const [response] = await send({
        to: undefined,
        cc: undefined,
        personalizations: [
          {
            to: 'ada@example.com',
            cc: 'grace@example.com',
            customArgs: { herald_notification_id: 'ntf_1', orderId: '123' },
          },
        ],
      });

      expect(response.statusCode).toBe(202);
      const id = response.headers['x-message-id'] as string;
      expect(id).toMatch(/^[\w-]{22}$/);
      expect(sim.simulator.messages()).toEqual([
        expect.objectContaining({
          id,
          provider: 'sendgrid',
          to: ['ada@example.com'],
          cc: ['grace@example.com'],
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

    it('refuses a wrong API key with 401 and SendGrid errors', async () => {
      const err = await failureOf(() => send({}, { apiKey: 'SG.wrong' }));

      expect(seen(err)).toEqual({
        type: 'ResponseError',
        status: 401,
        errors: [
          {
            message: 'The provided authorization grant is invalid, expired, or revoked',
            field: null,
            help: null,
          },
        ],
      });
      expect(sim.simulator.messages()).toEqual([]);
    });

    it.each<[string, Partial<MailDataRequired>, string]>([
      ['a malformed recipient', { to: 'not-an-address' }, 'personalizations.0.to.0.email'],
      [
        'a rejected recipient',
        { to: `bounce@${REJECTED_EMAIL_DOMAIN}` },
        'personalizations.0.to.0.email',
      ],
      ['a malformed sender', { from: 'ops' }, 'from'],
      ['a missing subject', { subject: undefined }, 'subject'],
      ['missing content', { text: undefined, html: undefined }, 'content'],
      ['a recipient twice', { cc: 'ada@example.com' }, 'personalizations.0.cc'],
    ])('answers 400 naming the field for %s', async (_case, data, field) => {
      const err = await failureOf(() => send(data));

      expect(seen(err)).toMatchObject({ type: 'ResponseError', status: 400 });
      expect(seen(err).errors).toContainEqual(expect.objectContaining({ field }));
    });

    it.each<[string, ProviderBehaviour, Partial<ReturnType<typeof seen>>]>([
      [
        'fail',
        { mode: 'fail' },
        {
          type: 'ResponseError',
          status: 503,
          errors: [expect.objectContaining({ message: 'service unavailable' })],
        },
      ],
      ['fail 500', { mode: 'fail', status: 500 }, expect.objectContaining({ status: 500 })],
      [
        'throttle',
        { mode: 'throttle', retryAfterSeconds: 7 },
        {
          type: 'ResponseError',
          status: 429,
          retryAfter: '7',
          errors: [expect.objectContaining({ message: 'too many requests' })],
        },
      ],
      ['hang', { mode: 'hang' }, { type: 'AxiosError', status: 'ECONNABORTED' }],
      ['refuse', { mode: 'refuse' }, { type: 'AxiosError', status: 'ECONNRESET' }],
    ])(
      'surfaces %s as SendGrid would, in exactly one request',
      async (_mode, behaviour, expected) => {
        sim.simulator.setBehaviour('sendgrid', behaviour);

        const err = await failureOf(() => send({}, { timeoutMs: 200 }));

        expect(seen(err)).toEqual(expected);
        expect(sim.simulator.requests('sendgrid')).toBe(1);
        expect(sim.simulator.messages()).toEqual([]);
      },
    );

    it('sends SendGrid rate-limit headers with a throttle', async () => {
      sim.simulator.setBehaviour('sendgrid', { mode: 'throttle', retryAfterSeconds: 30 });

      const err = await failureOf(() => send());

      const headers = err.response.headers as Record<string, string>;
      expect(headers['x-ratelimit-remaining']).toBe('0');
      expect(Number(headers['x-ratelimit-reset']) - Date.now() / 1000).toBeCloseTo(30, -1);
    });

    it('sees the connection closed when the client gives up on a hung request', async () => {
      sim.simulator.setBehaviour('sendgrid', { mode: 'hang' });

      await failureOf(() => send({}, { timeoutMs: 100 }));

      await vi.waitFor(() => expect(sim.simulator.closedConnections('sendgrid')).toBe(1));
    });
  });

  describe('sendgrid contract', () => {
    const topLevelObject = 'Invalid type. Expected: string, given: object.';

    it("refuses custom_args at the top level as an object, with SendGrid's 400", async () => {
      // The SDK puts a message's customArgs at the top level, where SendGrid expects a string.
      const err = await failureOf(() => send({ customArgs: { orderId: '123' } }));

      expect(seen(err)).toMatchObject({
        type: 'ResponseError',
        status: 400,
        errors: [
          {
            field: 'custom_args',
            message: topLevelObject,
            help: 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.custom_args',
          },
        ],
      });
      expect(sim.simulator.messages()).toEqual([]);
      expect(sim.simulator.contractBreaches('sendgrid')).toEqual([
        expect.objectContaining({
          status: 400,
          enforced: true,
          violations: [{ field: 'custom_args', message: topLevelObject }],
        }),
      ]);
    });

    it('lets the mistake through, and records it, while enforcement is off', async () => {
      sim.simulator.setContractEnforcement('sendgrid', false);

      const [response] = await send({ customArgs: { orderId: '123' } });

      expect(response.statusCode).toBe(202);
      expect(sim.simulator.contractBreaches('sendgrid')).toEqual([
        expect.objectContaining({ status: 202, enforced: false }),
      ]);
    });
  });
});
