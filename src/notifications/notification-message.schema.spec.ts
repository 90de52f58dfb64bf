import { HeraldError } from '../errors/herald-error';
import {
  DEFAULT_MESSAGE_LIMITS,
  notificationSchemas,
  parseOrThrow,
} from './notification-message.schema';

const { message } = notificationSchemas(DEFAULT_MESSAGE_LIMITS);

/** The field problems intake answers for `input`, or `accepted`. */
function problemsOf(input: unknown): unknown {
  try {
    parseOrThrow(message, input);
    return 'accepted';
  } catch (err) {
    if (err instanceof HeraldError) return err.extra.errors;
    throw err;
  }
}

const entries = (n: number, value: string) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, value]));

describe('the message schema', () => {
  describe("when a message would break a provider's own limit", () => {
    it('refuses a chat text longer than Slack takes, and accepts the longest it takes', () => {
      const chat = { channel: 'chat', to: 'C0123456789' };
      expect(problemsOf({ ...chat, text: 'a'.repeat(40_001) })).toEqual([
        { field: 'text', message: 'must be at most 40000 UTF-16 code units, as Slack takes' },
      ]);
      expect(problemsOf({ ...chat, text: '😀'.repeat(20_001) })).toEqual([
        { field: 'text', message: 'must be at most 40000 UTF-16 code units, as Slack takes' },
      ]);
      expect(problemsOf({ ...chat, text: 'a'.repeat(40_000) })).toBe('accepted');
    });

    it("refuses metadata larger than SendGrid's custom args carry, by bytes not characters", () => {
      const sms = { channel: 'sms', to: '+14155550100', text: 'hi' };
      expect(problemsOf({ ...sms, metadata: entries(20, 'é'.repeat(256)) })).toEqual([
        { field: 'metadata', message: 'at most 8192 bytes as JSON' },
      ]);
      // 20 entries of 150 two-byte characters: about 6.3 kB of JSON.
      expect(problemsOf({ ...sms, metadata: entries(20, 'é'.repeat(150)) })).toBe('accepted');
    });
  });
});
