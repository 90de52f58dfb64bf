import type { ChannelErrorClass } from '../contracts/channel-error-class';

export { CHANNEL_ERROR_CLASSES, type ChannelErrorClass } from '../contracts/channel-error-class';

/** A provider failure, classified. Its message and `detail` hold no secret and no message body. */
export class ChannelError extends Error {
  readonly errorClass: ChannelErrorClass;
  /** Milliseconds the provider asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs?: number;
  /** HTTP status, when the provider answered. */
  readonly status?: number;
  /** The provider's own error code or name (Twilio 21211, SES MessageRejected, Slack channel_not_found). */
  readonly providerCode?: string;
  /** True when the request may have reached the provider (a timeout after sending). */
  readonly ambiguous: boolean;

  constructor(
    errorClass: ChannelErrorClass,
    /** Short, safe description: what happened, never what was sent. */
    readonly detail: string,
    options: {
      retryAfterMs?: number;
      status?: number;
      providerCode?: string | number;
      ambiguous?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(`${errorClass}: ${detail}`);
    this.name = 'ChannelError';
    this.errorClass = errorClass;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
    this.providerCode =
      options.providerCode === undefined ? undefined : String(options.providerCode);
    this.ambiguous = options.ambiguous ?? errorClass === 'timeout';
    // Kept off the enumerable properties so a logged ChannelError never serialises the SDK
    // error, whose request config carries the API key and the message.
    Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false });
  }
}

/** Parses an HTTP Retry-After value (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(String(raw));
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
