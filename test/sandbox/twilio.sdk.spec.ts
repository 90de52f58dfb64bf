import {
  type ProviderBehaviour,
  ProviderSimulator,
  TWILIO_MAGIC_NUMBERS,
} from '../../src/sandbox/provider-simulator';
import { SANDBOX_CREDENTIALS } from '../../src/config/sandbox-credentials';
import { type SdkError, failureOf, twilioClient } from './sdk-clients';
import { useSimulator } from './simulator-fixture';

const { from } = SANDBOX_CREDENTIALS.twilio;
const message: { to: string; from: string; body: string; statusCallback: string } = {
  to: '+14155550100',
  from,
  body: 'Your code is 123456',
  statusCallback: 'https://herald.example.com/v1/receipts/twilio?herald_notification_id=ntf_1',
};

/** What a channel can read from twilio's error: status and Twilio's own code, no headers. */
const seen = (err: SdkError) => ({
  type: err.constructor.name,
  status: err.status,
  code: err.code,
  message: err.message,
});

describe(ProviderSimulator.name, () => {
  const sim = useSimulator();
  const send = (
    data: Partial<typeof message> = {},
    options: { authToken?: string; timeoutMs?: number } = {},
  ) => twilioClient(sim.url, options).messages.create({ ...message, ...data });

  describe('twilio', () => {
    it('answers 201 with the message resource and captures the message', async () => {
      const result = await send();

      expect(result).toMatchObject({
        to: '+14155550100',
        from,
        body: 'Your code is 123456',
        status: 'queued',
        direction: 'outbound-api',
        numSegments: '1',
        accountSid: SANDBOX_CREDENTIALS.twilio.accountSid,
      });
      expect(result.sid).toMatch(/^SM[0-9a-f]{32}$/);
      expect(sim.simulator.messages()).toEqual([
        expect.objectContaining({
          id: result.sid,
          provider: 'twilio',
          to: ['+14155550100'],
          from,
          text: 'Your code is 123456',
          notificationId: 'ntf_1',
        }),
      ]);
    });

    it('refuses a wrong auth token with 401 and code 20003', async () => {
      const err = await failureOf(() => send({}, { authToken: 'wrong' }));

      expect(seen(err)).toEqual({
        type: 'RestException',
        status: 401,
        code: 20003,
        message: 'Authenticate',
      });
      expect(err.moreInfo).toBe('https://www.twilio.com/docs/errors/20003');
    });

    it.each<[string, Partial<typeof message>, number]>([
      ['a number that is not E.164', { to: '4155550100' }, 21211],
      ["Twilio's invalid test number", { to: TWILIO_MAGIC_NUMBERS.invalid }, 21211],
      ['an unsubscribed recipient', { to: TWILIO_MAGIC_NUMBERS.unsubscribed }, 21610],
      ['an unroutable number', { to: TWILIO_MAGIC_NUMBERS.unroutable }, 21612],
      ['an invalid sender', { from: 'ops' }, 21212],
      ['a missing body', { body: '' }, 21602],
      ['a body over 1600 characters', { body: 'x'.repeat(1601) }, 21617],
    ])('answers 400 with its Twilio code for %s', async (_case, data, code) => {
      const err = await failureOf(() => send(data));

      expect(seen(err)).toMatchObject({ type: 'RestException', status: 400, code });
    });

    it.each<[string, ProviderBehaviour, Partial<ReturnType<typeof seen>>]>([
      ['fail', { mode: 'fail' }, { type: 'RestException', status: 503, code: 20503 }],
      [
        'fail with an HTML body',
        { mode: 'fail', body: 'html' },
        { type: 'RestException', status: 503, code: undefined },
      ],
      [
        'throttle',
        { mode: 'throttle', retryAfterSeconds: 7 },
        { type: 'RestException', status: 429, code: 20429 },
      ],
      ['hang', { mode: 'hang' }, { type: 'AxiosError', code: 'ECONNABORTED' }],
      ['refuse', { mode: 'refuse' }, { type: 'AxiosError', code: 'ECONNRESET' }],
    ])(
      'surfaces %s as Twilio would, in exactly one request',
      async (_mode, behaviour, expected) => {
        sim.simulator.setBehaviour('twilio', behaviour);

        const err = await failureOf(() => send({}, { timeoutMs: 200 }));

        expect(seen(err)).toMatchObject(expected);
        expect(sim.simulator.requests('twilio')).toBe(1);
        expect(sim.simulator.messages()).toEqual([]);
      },
    );

    it('sees the connection closed when the client gives up on a hung request', async () => {
      sim.simulator.setBehaviour('twilio', { mode: 'hang' });

      await failureOf(() => send({}, { timeoutMs: 100 }));

      await vi.waitFor(() => expect(sim.simulator.closedConnections('twilio')).toBe(1));
    });
  });

  describe('twilio contract', () => {
    it("refuses a To that is not E.164, with Twilio's 21211", async () => {
      const err = await failureOf(() => send({ to: '4155550100' }));

      expect(seen(err)).toEqual({
        type: 'RestException',
        status: 400,
        code: 21211,
        message: "The 'To' number 4155550100 is not a valid phone number.",
      });
      expect(err.moreInfo).toBe('https://www.twilio.com/docs/errors/21211');
      expect(sim.simulator.messages()).toEqual([]);
      expect(sim.simulator.contractBreaches('twilio')).toEqual([
        expect.objectContaining({
          status: 400,
          violations: [
            {
              field: 'To',
              code: '21211',
              message: "The 'To' number 4155550100 is not a valid phone number.",
            },
          ],
        }),
      ]);
    });

    it('refuses a body over 1,600 characters with 21617', async () => {
      const err = await failureOf(() => send({ body: 'x'.repeat(1601) }));

      expect(seen(err)).toMatchObject({ status: 400, code: 21617 });
    });
  });
});
