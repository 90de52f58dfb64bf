import { TwilioSmsChannel } from '../../src/channels/twilio-sms.channel';
import type { TwilioConfig } from '../../src/config/herald-config';
import type { SmsMessage } from '../../src/notifications/notification-message.schema';
import { TWILIO_MAGIC_NUMBERS } from '../../src/sandbox/provider-simulator';
import { SANDBOX_CREDENTIALS } from '../../src/config/sandbox-credentials';
import {
  NOTIFICATION_ID,
  type FaultCase,
  classified,
  expectSafe,
  smsMessage,
  useChannel,
} from './channel-fixtures';
import { describeProviderContract } from './contract-table';
import { describeDeadline } from './deadline-contract';

describe(TwilioSmsChannel.name, () => {
  const fixture = useChannel({
    provider: 'twilio',
    create: (config) => new TwilioSmsChannel(config),
    message: smsMessage,
  });
  const { sim, channel, send } = fixture;

  describe('when Twilio accepts the message', () => {
    it('resolves with the message sid Twilio answered', async () => {
      const result = await send(channel());

      const [captured] = sim.simulator.messages({ provider: 'twilio' });
      expect(result.providerMessageId).toBe(captured!.id);
      expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
      expect(result.acceptedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(sim.simulator.requests('twilio')).toBe(1);
    });
  });

  describe('when Twilio fails', () => {
    const cases: Record<string, FaultCase<TwilioConfig, SmsMessage>> = {
      'answers 503': {
        behaviour: { mode: 'fail', status: 503 },
        expected: { errorClass: 'unavailable', status: 503, providerCode: '20503' },
      },
      'answers 502 with an HTML page': {
        behaviour: { mode: 'fail', status: 502, body: 'html' },
        expected: { errorClass: 'unavailable', status: 502, providerCode: undefined },
      },
      'throttles with 20429 and Retry-After': {
        behaviour: { mode: 'throttle', retryAfterSeconds: 7 },
        expected: {
          errorClass: 'throttled',
          status: 429,
          providerCode: '20429',
          retryAfterMs: 7_000,
        },
      },
      'resets the connection': {
        behaviour: { mode: 'refuse' },
        expected: { errorClass: 'unavailable', providerCode: 'ECONNRESET', ambiguous: true },
      },
      'refuses the auth token (20003)': {
        config: { authToken: 'not-the-token' },
        expected: { errorClass: 'misconfigured', status: 401, providerCode: '20003' },
      },
      'refuses an invalid number (21211)': {
        message: { to: TWILIO_MAGIC_NUMBERS.invalid },
        expected: { errorClass: 'rejected', status: 400, providerCode: '21211' },
      },
      'refuses an unsubscribed recipient (21610)': {
        message: { to: TWILIO_MAGIC_NUMBERS.unsubscribed },
        expected: { errorClass: 'rejected', status: 400, providerCode: '21610' },
      },
      'refuses an unroutable number (21612)': {
        message: { to: TWILIO_MAGIC_NUMBERS.unroutable },
        expected: { errorClass: 'rejected', status: 400, providerCode: '21612' },
      },
    };

    it.each(Object.entries(cases))('classifies it when Twilio %s', async (_name, c) => {
      const { error, message } = await fixture.failure(c);

      expect(classified(error)).toMatchObject({
        retryAfterMs: undefined,
        ambiguous: false,
        ...c.expected,
      });
      expectSafe(error, [message.text, message.to, 'not-the-token']);
      expect(sim.simulator.requests('twilio')).toBe(1);
    });
  });

  describeDeadline(fixture);

  describeProviderContract(fixture, {
    'a full message (every optional field set)': {
      message: () => smsMessage({ metadata: { orderId: '123' }, providers: ['twilio'] }),
    },
    'the longest body Twilio takes (1600 characters)': {
      message: () => smsMessage({ text: 'x'.repeat(1600) }),
    },
    'the longest body in UTF-16 (800 emoji)': {
      message: () => smsMessage({ text: '📦'.repeat(800) }),
    },
    'a body one character too long': {
      message: () => smsMessage({ text: 'x'.repeat(1601) }),
      refused: { errorClass: 'rejected', status: 400, providerCode: '21617' },
    },
  });

  describe('when TWILIO_REGION and TWILIO_EDGE are set in the environment', () => {
    afterEach(() => vi.unstubAllEnvs());

    it('still reaches TWILIO_BASE_URL (the SDK rewrites only its own hostnames)', async () => {
      vi.stubEnv('TWILIO_REGION', 'au1');
      vi.stubEnv('TWILIO_EDGE', 'sydney');

      await send(channel());

      expect(sim.simulator.requests('twilio')).toBe(1);
    });
  });

  describe('mapping a message', () => {
    it('sends To, From (TWILIO_FROM), Body and the notification id header', async () => {
      await send(channel(), smsMessage({ metadata: { orderId: '123' } }));

      const [captured] = sim.simulator.messages({ provider: 'twilio' });
      expect(captured!.raw).toEqual({
        To: '+14155550100',
        From: SANDBOX_CREDENTIALS.twilio.from,
        Body: 'Your code is 123456',
      });
      expect(captured!.notificationId).toBe(NOTIFICATION_ID);
    });
  });
});
