import type { ChatPostMessageArguments } from '@slack/web-api';
import {
  type ProviderBehaviour,
  ProviderSimulator,
  UNKNOWN_SLACK_CHANNEL,
} from '../../src/sandbox/provider-simulator';
import { type SdkError, failureOf, slackClient } from './sdk-clients';
import { useSimulator } from './simulator-fixture';

const message = {
  channel: 'C0123456789',
  text: 'Deploy finished',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Deploy finished*' } }],
  metadata: {
    event_type: 'herald_notification',
    event_payload: { herald_notification_id: 'ntf_1', orderId: '123' },
  },
} satisfies ChatPostMessageArguments;

/** What a channel can read from @slack/web-api's error. */
const seen = (err: SdkError) => ({
  type: err.constructor.name,
  code: err.code,
  status: err.statusCode,
  error: err.data?.error,
  retryAfter: err.retryAfter,
});

describe(ProviderSimulator.name, () => {
  const sim = useSimulator();
  const send = (
    data: Record<string, unknown> = {},
    options: { token?: string; timeoutMs?: number } = {},
  ) =>
    slackClient(sim.url, options).chat.postMessage({
      ...message,
      ...data,
    } as ChatPostMessageArguments);

  describe('slack', () => {
    it('answers 200 {ok: true, ts, channel} and captures the message', async () => {
      const result = await send();

      expect(result).toMatchObject({ ok: true, channel: 'C0123456789' });
      expect(result.ts).toMatch(/^\d{10}\.\d{6}$/);
      expect(result.message?.blocks).toEqual(message.blocks);
      expect(sim.simulator.messages()).toEqual([
        expect.objectContaining({
          id: result.ts,
          provider: 'slack',
          to: ['C0123456789'],
          text: 'Deploy finished',
          notificationId: 'ntf_1',
          metadata: { orderId: '123' },
        }),
      ]);
    });

    it('gives each message its own ts', async () => {
      const [a, b] = await Promise.all([send(), send()]);

      expect(a.ts).not.toBe(b.ts);
    });

    it.each<[string, Record<string, unknown>, { token?: string }, string]>([
      ['a wrong token', {}, { token: 'xoxb-wrong' }, 'invalid_auth'],
      ['an unknown channel', { channel: UNKNOWN_SLACK_CHANNEL }, {}, 'channel_not_found'],
      ['a channel name instead of an id', { channel: '#general' }, {}, 'channel_not_found'],
      ['no text and no blocks', { text: '', blocks: [] }, {}, 'no_text'],
      ['text over 40000 characters', { text: 'x'.repeat(40_001) }, {}, 'msg_too_long'],
    ])('answers {ok: false} for %s', async (_case, data, options, error) => {
      const err = await failureOf(() => send(data, options));

      expect(seen(err)).toMatchObject({
        type: 'WebAPIPlatformError',
        code: 'slack_webapi_platform_error',
        error,
      });
    });

    it.each<[string, ProviderBehaviour, Partial<ReturnType<typeof seen>>]>([
      [
        'fail',
        { mode: 'fail' },
        { type: 'WebAPIHTTPError', code: 'slack_webapi_http_error', status: 503 },
      ],
      [
        'throttle',
        { mode: 'throttle', retryAfterSeconds: 7 },
        { type: 'WebAPIRateLimitedError', code: 'slack_webapi_rate_limited_error', retryAfter: 7 },
      ],
      [
        'hang',
        { mode: 'hang' },
        { type: 'WebAPIRequestError', code: 'slack_webapi_request_error' },
      ],
      [
        'refuse',
        { mode: 'refuse' },
        { type: 'WebAPIRequestError', code: 'slack_webapi_request_error' },
      ],
    ])('surfaces %s as Slack would, in exactly one request', async (_mode, behaviour, expected) => {
      sim.simulator.setBehaviour('slack', behaviour);

      const err = await failureOf(() => send({}, { timeoutMs: 200 }));

      expect(seen(err)).toMatchObject(expected);
      expect(sim.simulator.requests('slack')).toBe(1);
      expect(sim.simulator.messages()).toEqual([]);
    });

    it('sees the connection closed when the client gives up on a hung request', async () => {
      sim.simulator.setBehaviour('slack', { mode: 'hang' });

      await failureOf(() => send({}, { timeoutMs: 100 }));

      await vi.waitFor(() => expect(sim.simulator.closedConnections('slack')).toBe(1));
    });
  });

  describe('slack contract', () => {
    it('refuses 51 blocks with ok:false invalid_blocks', async () => {
      const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));

      const err = await failureOf(() => send({ blocks }));

      expect(seen(err)).toMatchObject({
        code: 'slack_webapi_platform_error',
        error: 'invalid_blocks',
      });
      expect(err.data.response_metadata).toEqual({
        messages: ['[ERROR] no more than 50 items allowed [json-pointer:/blocks]'],
      });
      expect(sim.simulator.messages()).toEqual([]);
      expect(sim.simulator.contractBreaches('slack')).toEqual([
        expect.objectContaining({
          status: 200,
          violations: [
            { field: 'blocks', code: 'invalid_blocks', message: 'no more than 50 items allowed' },
          ],
        }),
      ]);
    });

    it('refuses a block without a type with invalid_blocks', async () => {
      const err = await failureOf(() => send({ blocks: [{ text: 'no type' }] }));

      expect(seen(err)).toMatchObject({ error: 'invalid_blocks' });
    });
  });
});
