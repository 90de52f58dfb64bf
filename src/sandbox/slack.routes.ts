import type { SandboxCredentials } from '../config/sandbox-credentials';
import { NOTIFICATION_ID_FIELD, UNKNOWN_SLACK_CHANNEL } from './sandbox-conventions';
import {
  type ProviderAnswer,
  type SimulatedEndpoint,
  bearerToken,
  compact,
  fieldsOf,
  stringField,
} from './simulated-endpoint';
import { enforce } from './contracts/provider-contract';
import { slackContract } from './contracts/slack.contract';

const CHANNEL_ID = /^[CGD][A-Z0-9]{8,}$/;
/** Slack truncates or refuses longer texts (`msg_too_long`). */
const MAX_TEXT_CHARS = 40_000;

/** Slack answers most errors with HTTP 200 and `{ok: false, error}`. */
const slackError = (error: string, status = 200): ProviderAnswer => ({
  status,
  body: { ok: false, error },
});

const refuse = (error: string) => ({ answer: slackError(error) });

/** Parses a JSON-encoded form field; `undefined` when absent, `null` when not valid JSON. */
function jsonField(fields: Record<string, unknown>, name: string): unknown {
  const value = fields[name];
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return null;
  }
}

let lastTs = 0;
/** A unique, increasing message timestamp: seconds with microseconds, as Slack gives them. */
function nextTs(): string {
  lastTs = Math.max(Date.now() * 1000, lastTs + 1);
  return `${Math.floor(lastTs / 1e6)}.${String(lastTs % 1e6).padStart(6, '0')}`;
}

/**
 * Slack `POST /api/chat.postMessage`: form (or JSON) body, `Authorization: Bearer <token>`
 * (or a `token` field); `200 {ok: true, channel, ts, message}`. Most errors are
 * `200 {ok: false, error}`; a rate limit is an HTTP 429 with Retry-After. Herald's
 * notification id: the message `metadata` (`{event_type, event_payload:
 * {herald_notification_id}}`, JSON-encoded); other string payload fields become metadata.
 */
export function slackRoutes(credentials: SandboxCredentials['slack']): SimulatedEndpoint {
  return {
    provider: 'slack',
    path: '/api/chat.postMessage',

    send(request) {
      const fields = fieldsOf(request.body);
      const token = bearerToken(request) ?? stringField(fields, 'token');
      if (!token) return refuse('not_authed');
      if (token !== credentials.token) return refuse('invalid_auth');

      const refused = enforce(slackContract, request);
      if (refused) return refused;

      const channel = stringField(fields, 'channel');
      if (!channel || !CHANNEL_ID.test(channel) || channel === UNKNOWN_SLACK_CHANNEL) {
        return refuse('channel_not_found');
      }
      const text = stringField(fields, 'text');
      const blocks = jsonField(fields, 'blocks');
      const attachments = jsonField(fields, 'attachments');
      if (blocks !== undefined && !Array.isArray(blocks)) return refuse('invalid_blocks_format');
      if (attachments !== undefined && !Array.isArray(attachments)) {
        return refuse('invalid_attachments');
      }
      if (!text && !blocks?.length && !attachments?.length) return refuse('no_text');
      if (text !== undefined && text.length > MAX_TEXT_CHARS) return refuse('msg_too_long');

      const metadata = jsonField(fields, 'metadata');
      const event = fieldsOf(metadata);
      if (
        metadata !== undefined &&
        (typeof event.event_type !== 'string' ||
          typeof event.event_payload !== 'object' ||
          event.event_payload === null)
      ) {
        return refuse('invalid_metadata_format');
      }
      const payload = Object.fromEntries(
        Object.entries(fieldsOf(event.event_payload)).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        ),
      );
      const { [NOTIFICATION_ID_FIELD]: notificationId, ...rest } = payload;

      const ts = nextTs();
      return {
        answer: {
          status: 200,
          body: {
            ok: true,
            channel,
            ts,
            message: compact({
              type: 'message',
              subtype: 'bot_message',
              text: text ?? '',
              ts,
              bot_id: 'B0HERALDSBX',
              user: 'U0HERALDSBX',
              blocks,
              attachments,
            }),
          },
        },
        accepted: compact({ id: ts, to: [channel], text, metadata: rest, notificationId }),
      };
    },

    failure(status) {
      return slackError(status === 503 ? 'service_unavailable' : 'internal_error', status);
    },

    throttled(retryAfterSeconds) {
      return {
        ...slackError('ratelimited', 429),
        headers: { 'retry-after': String(retryAfterSeconds) },
      };
    },
  };
}
