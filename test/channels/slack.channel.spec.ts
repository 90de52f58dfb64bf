import { Logger } from '@nestjs/common';
import { SlackChannel } from '../../src/channels/slack.channel';
import type { SlackConfig } from '../../src/config/herald-config';
import type { ChatMessage } from '../../src/notifications/notification-message.schema';
import { UNKNOWN_SLACK_CHANNEL } from '../../src/sandbox/provider-simulator';
import {
  NOTIFICATION_ID,
  type FaultCase,
  chatMessage,
  classified,
  expectSafe,
  useChannel,
  largestMetadata,
} from './channel-fixtures';
import { describeProviderContract } from './contract-table';
import { describeDeadline } from './deadline-contract';

describe(SlackChannel.name, () => {
  const fixture = useChannel({
    provider: 'slack',
    create: (config) => new SlackChannel(config),
    message: chatMessage,
  });
  const { sim, channel, send } = fixture;
  // The WebClient's own notes on failed calls (routed to debug) would only repeat the assertions.
  beforeAll(() => Logger.overrideLogger(['warn', 'error']));

  describe('when Slack accepts the message', () => {
    it('resolves with the message ts Slack answered', async () => {
      const result = await send(channel());

      const [captured] = sim.simulator.messages({ provider: 'slack' });
      expect(result.providerMessageId).toBe(captured!.id);
      expect(result.providerMessageId).toMatch(/^\d+\.\d{6}$/);
      expect(result.acceptedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(sim.simulator.requests('slack')).toBe(1);
    });
  });

  describe('when Slack fails', () => {
    const cases: Record<string, FaultCase<SlackConfig, ChatMessage>> = {
      'answers 503': {
        behaviour: { mode: 'fail', status: 503 },
        expected: { errorClass: 'unavailable', status: 503, providerCode: 'service_unavailable' },
      },
      'answers 500 with an HTML page': {
        behaviour: { mode: 'fail', status: 500, body: 'html' },
        expected: { errorClass: 'unavailable', status: 500, providerCode: undefined },
      },
      'rate-limits with Retry-After (no silent wait)': {
        behaviour: { mode: 'throttle', retryAfterSeconds: 7 },
        expected: {
          errorClass: 'throttled',
          status: 429,
          providerCode: 'ratelimited',
          retryAfterMs: 7_000,
        },
      },
      'resets the connection': {
        behaviour: { mode: 'refuse' },
        expected: { errorClass: 'unavailable', providerCode: 'ECONNRESET', ambiguous: true },
      },
      'refuses the token (200 ok:false invalid_auth)': {
        config: { token: 'xoxb-not-the-token' },
        expected: { errorClass: 'misconfigured', status: 200, providerCode: 'invalid_auth' },
      },
      'does not know the channel (200 ok:false channel_not_found)': {
        message: { to: UNKNOWN_SLACK_CHANNEL },
        expected: { errorClass: 'rejected', status: 200, providerCode: 'channel_not_found' },
      },
    };

    it.each(Object.entries(cases))('classifies it when Slack %s', async (_name, c) => {
      const { error } = await fixture.failure(c);

      expect(classified(error)).toMatchObject({
        retryAfterMs: undefined,
        ambiguous: false,
        ...c.expected,
      });
      expectSafe(error, ['Deploy finished', 'xoxb-not-the-token']);
      expect(sim.simulator.requests('slack')).toBe(1);
    });
  });

  describeDeadline(fixture);

  const section = (i: number) => ({ type: 'section', text: { type: 'mrkdwn', text: `*${i}*` } });
  describeProviderContract(fixture, {
    'a full message (every optional field set)': {
      message: () =>
        chatMessage({ blocks: [section(1), { type: 'divider' }], metadata: { orderId: '123' } }),
    },
    'the largest message Slack takes (50 blocks, 40,000 characters)': {
      message: () =>
        chatMessage({
          text: 't'.repeat(40_000),
          blocks: Array.from({ length: 50 }, (_, i) => section(i)),
          metadata: largestMetadata(),
        }),
    },
    'one block too many (51)': {
      message: () => chatMessage({ blocks: Array.from({ length: 51 }, (_, i) => section(i)) }),
      refused: { errorClass: 'rejected', status: 200, providerCode: 'invalid_blocks' },
    },
    // Herald's intake bounds chat text in bytes (HERALD_MAX_BODY_BYTES), not at Slack's 40,000 characters.
    'a text one character too long': {
      message: () => chatMessage({ text: 't'.repeat(40_001) }),
      refused: { errorClass: 'rejected', status: 200, providerCode: 'msg_too_long' },
    },
  });

  describe('mapping a full message', () => {
    it('sends channel, text, blocks, and metadata with the notification id', async () => {
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Deploy* finished' } }];
      await send(channel(), chatMessage({ blocks, metadata: { orderId: '123', tenant: 'acme' } }));

      const [captured] = sim.simulator.messages({ provider: 'slack' });
      expect(captured!.raw).toEqual({
        channel: 'C0123456789',
        text: 'Deploy finished',
        blocks: JSON.stringify(blocks),
        metadata: JSON.stringify({
          event_type: 'herald_notification',
          event_payload: {
            orderId: '123',
            tenant: 'acme',
            herald_notification_id: NOTIFICATION_ID,
          },
        }),
      });
      expect(captured).toMatchObject({
        metadata: { orderId: '123', tenant: 'acme' },
        notificationId: NOTIFICATION_ID,
      });
    });

    it('sends blocks alone when the message has no text', async () => {
      const blocks = [{ type: 'divider' }];
      await send(channel(), chatMessage({ text: undefined, blocks }));

      const [captured] = sim.simulator.messages({ provider: 'slack' });
      expect(captured!.raw).not.toHaveProperty('text');
      expect(captured!.raw).toMatchObject({ blocks: JSON.stringify(blocks) });
    });
  });
});
