import {
  type ChatPostMessageArguments,
  type ChatPostMessageResponse,
  type KnownBlock,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from '@slack/web-api';
import type { SlackConfig } from '../config/herald-config';
import type { ChatMessage } from '../notifications/notification-message.schema';
import { abortableSlackFetch } from './abortable-slack-fetch';
import { ChannelError, type ChannelErrorClass } from './channel-error';
import { safeDetail, transportFailureOf } from './failure-classification';
import { ProviderChannel, customFields, httpFailure } from './provider-channel';
import type { ProviderRequest } from './provider-request-context';
import { sdkTimeoutMs } from './sdk-timeout';
import { SlackLogger } from './slack-logger';

/** The message metadata event type Herald's messages carry. */
const METADATA_EVENT_TYPE = 'herald_notification';

/** Slack's `{ok: false, error}` answers (HTTP 200) and what they mean for delivery. */
const CLASS_OF_PLATFORM_ERROR: Readonly<Record<string, ChannelErrorClass>> = {
  channel_not_found: 'rejected',
  not_in_channel: 'rejected',
  is_archived: 'rejected',
  msg_too_long: 'rejected',
  no_text: 'rejected',
  invalid_blocks: 'rejected',
  invalid_blocks_format: 'rejected',
  invalid_metadata_format: 'rejected',
  invalid_metadata_schema: 'rejected',
  metadata_too_large: 'rejected',
  too_many_attachments: 'rejected',
  invalid_attachments: 'rejected',
  restricted_action: 'rejected',
  invalid_auth: 'misconfigured',
  not_authed: 'misconfigured',
  account_inactive: 'misconfigured',
  token_revoked: 'misconfigured',
  token_expired: 'misconfigured',
  missing_scope: 'misconfigured',
  no_permission: 'misconfigured',
  not_allowed_token_type: 'misconfigured',
  team_access_not_granted: 'misconfigured',
  ekm_access_denied: 'misconfigured',
  ratelimited: 'throttled',
  rate_limited: 'throttled',
  message_limit_exceeded: 'throttled',
  fatal_error: 'unavailable',
  internal_error: 'unavailable',
  service_unavailable: 'unavailable',
  request_timeout: 'unavailable',
};

/**
 * Chat messages through Slack's `chat.postMessage` with @slack/web-api. One WebClient, built
 * once, with every retry off: no retry of failed calls and no silent wait behind a 429.
 * Herald's notification id and the metadata travel as Slack message metadata
 * (`event_type: herald_notification`).
 */
export class SlackChannel extends ProviderChannel<
  'chat',
  ChatPostMessageArguments,
  ChatPostMessageResponse
> {
  readonly provider = 'slack' as const;
  readonly kind = 'chat' as const;
  private readonly client: WebClient;

  constructor(config: SlackConfig) {
    super();
    if (!config.token) throw new Error('SlackChannel needs SLACK_BOT_TOKEN');
    this.client = new WebClient(config.token, {
      ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
      // The WebClient retries almost everything for about 30 minutes by default.
      retryConfig: { retries: 0 },
      // ...and would otherwise queue behind a 429 silently.
      rejectRateLimitedCalls: true,
      // Per attempt; the second line of defence behind the deadline signal.
      timeout: sdkTimeoutMs(config.deadlineMs),
      fetch: abortableSlackFetch(),
      // Every call starts at once, inside its caller's async context (which carries its
      // signal): a queued call would start later from another call's context. The delivery
      // engine's concurrency is the limit.
      maxRequestConcurrency: Number.POSITIVE_INFINITY,
      logger: new SlackLogger(),
    });
  }

  protected toRequest(message: ChatMessage, notificationId: string): ChatPostMessageArguments {
    return {
      channel: message.to,
      ...(message.text === undefined ? {} : { text: message.text }),
      ...(message.blocks?.length ? { blocks: message.blocks as KnownBlock[] } : {}),
      metadata: {
        event_type: METADATA_EVENT_TYPE,
        event_payload: customFields(message, notificationId),
      },
    } as ChatPostMessageArguments;
  }

  protected call(args: ChatPostMessageArguments): Promise<ChatPostMessageResponse> {
    return this.client.chat.postMessage(args);
  }

  protected messageIdOf(result: ChatPostMessageResponse): string | undefined {
    return result.ts;
  }

  protected classify(err: unknown, call: ProviderRequest): ChannelError {
    if (err instanceof WebAPIPlatformError) {
      const error = String(err.data.error);
      const errorClass = CLASS_OF_PLATFORM_ERROR[error] ?? 'unavailable';
      return new ChannelError(errorClass, `Slack answered ok:false (${safeDetail(error, 60)})`, {
        status: call.response?.status ?? 200,
        providerCode: error,
        cause: err,
      });
    }
    if (err instanceof WebAPIRateLimitedError) {
      return new ChannelError('throttled', 'Slack rate limit (HTTP 429)', {
        status: 429,
        providerCode: 'ratelimited',
        retryAfterMs: Number.isFinite(err.retryAfter) ? err.retryAfter * 1000 : undefined,
        cause: err,
      });
    }
    if (err instanceof WebAPIHTTPError) {
      const error = slackErrorOf(err.body);
      return httpFailure({
        status: err.statusCode,
        words: error ?? err.statusMessage,
        providerCode: error,
        retryAfter: err.headers['retry-after'],
        cause: err,
      });
    }
    if (err instanceof WebAPIRequestError) return transportFailureOf(err.original, call.signal);
    // A 429 without a usable Retry-After: the WebClient throws a plain Error.
    if (call.response?.status === 429) {
      return new ChannelError('throttled', 'Slack rate limit (HTTP 429, no Retry-After)', {
        status: 429,
        providerCode: 'ratelimited',
        cause: err,
      });
    }
    return transportFailureOf(err, call.signal);
  }
}

/** The `error` of a non-200 answer's body, which the WebClient has parsed when it was JSON. */
function slackErrorOf(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | null | undefined)?.error;
  return typeof error === 'string' ? error : undefined;
}
