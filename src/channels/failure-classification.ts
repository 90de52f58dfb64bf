import { ChannelError, type ChannelErrorClass } from './channel-error';

/**
 * Shared pieces of the channels' error mapping: what an HTTP status means, what a
 * transport failure (no answer) means, and how a provider's message is made safe to keep.
 */

/** What an HTTP error status means for delivery, when the provider says nothing more precise. */
export function classOfHttpStatus(status: number): ChannelErrorClass {
  if (status === 429) return 'throttled';
  // 404 on a send endpoint means a wrong base URL, account or domain, not a bad message.
  if (status === 401 || status === 403 || status === 404) return 'misconfigured';
  // 408: the provider gave up waiting for our request; nothing was processed.
  if (status === 408 || status >= 500) return 'unavailable';
  return 'rejected';
}

/** Node and axios codes of a request that timed out on its own clock (the SDK's timeout). */
const TIMEOUT_CODES = new Set([
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Codes of an abort through our signal. */
const ABORT_CODES = new Set(['ERR_CANCELED', 'ABORT_ERR']);
const ABORT_NAMES = new Set(['AbortError', 'CanceledError', 'TimeoutError']);
/** The connection broke after the request was written: the provider may have acted on it. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
/** Nothing reached the provider. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'ERR_NETWORK',
]);

/** Every code {@link transportFailure} understands, for SDKs that report the code as a message. */
export const TRANSPORT_CODES: ReadonlySet<string> = new Set([
  ...TIMEOUT_CODES,
  ...ABORT_CODES,
  ...RESET_CODES,
  ...UNREACHABLE_CODES,
]);

/** A failure with no provider answer, described by what the SDK kept of it. */
export interface TransportFailure {
  /** Error code (`ECONNREFUSED`, `ERR_CANCELED`), from the error or its cause. */
  readonly code?: string;
  /** Error name (`AbortError`, `TimeoutError`). */
  readonly name?: string;
  readonly cause?: unknown;
}

/** The first string `code` along an error's `cause` chain (undici hides it under `cause`). */
export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Names along an error's cause chain. */
function errorNames(err: unknown): string[] {
  const names: string[] = [];
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; depth += 1) {
    const name = (e as { name?: unknown }).name;
    if (typeof name === 'string') names.push(name);
    e = (e as { cause?: unknown }).cause;
  }
  return names;
}

/**
 * Classifies a failure that brought no answer from the provider: our deadline (the signal),
 * the SDK's own timeout, a reset or an unreachable host. Unknown shapes are `unavailable`.
 */
export function transportFailure(failure: TransportFailure, signal: AbortSignal): ChannelError {
  const code = failure.code;
  const name = failure.name;
  const options = { cause: failure.cause, ...(code === undefined ? {} : { providerCode: code }) };
  const timedOut = (detail: string) =>
    new ChannelError('timeout', detail, { ...options, ambiguous: true });
  if (signal.aborted || (code !== undefined && ABORT_CODES.has(code))) {
    return timedOut('no answer before the deadline; the request was aborted');
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) return timedOut(`no answer in time (${code})`);
  // The code wins over the name: the AWS SDK names a reset `TimeoutError` (retryable to it).
  if (code !== undefined && RESET_CODES.has(code)) {
    return new ChannelError('unavailable', `connection reset before an answer (${code})`, {
      ...options,
      ambiguous: true,
    });
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return new ChannelError('unavailable', `provider unreachable (${code})`, {
      ...options,
      ambiguous: false,
    });
  }
  if (name !== undefined && ABORT_NAMES.has(name)) return timedOut(`no answer in time (${name})`);
  return new ChannelError(
    'unavailable',
    `unexpected failure (${safeDetail(code ?? name ?? 'unknown error', 60)})`,
    options,
  );
}

/** {@link transportFailure} for an error object: reads its code and names along the cause chain. */
export function transportFailureOf(err: unknown, signal: AbortSignal): ChannelError {
  // Not a transport failure: code ran out of stack (or range) on this message. Thrown on as it
  // is, so the delivery engine rejects the message alone and no breaker counts it.
  if (err instanceof RangeError) throw err;
  const code = errorCode(err);
  const names = errorNames(err);
  const name = names.find((n) => ABORT_NAMES.has(n)) ?? names[0];
  return transportFailure({ code, name, cause: err }, signal);
}

/** The deadline had passed before the call started: nothing was sent. */
export function abortedBeforeSend(): ChannelError {
  return new ChannelError('timeout', 'the deadline passed before the request was sent', {
    ambiguous: false,
  });
}

const EMAIL = /([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;
const PHONE = /\+\d{4,13}(\d{2})\b|\b\d{8,13}(\d{2})\b/g;
const CREDENTIAL = /\b(?:SG\.[\w.-]+|xox[a-z]-[\w-]+|key-[0-9a-f]{8,}|AKIA[0-9A-Z]{12,})/g;
const AUTH_HEADER = /\b(Bearer|Basic|AWS4-HMAC-SHA256)\s+\S+/gi;

/**
 * A provider's own words, made safe to store and log: recipients masked (`a***@example.com`,
 * `+***00`), anything shaped like a credential removed, whitespace collapsed, length capped.
 * Provider messages name recipients ("The 'To' number +1415… is not valid"), never bodies.
 */
export function safeDetail(text: unknown, max = 160): string {
  const raw =
    typeof text === 'string' ? text : text === undefined || text === null ? '' : String(text);
  const safe = raw
    .replace(AUTH_HEADER, '$1 [redacted]')
    .replace(CREDENTIAL, '[redacted]')
    .replace(EMAIL, '$1***@$2')
    .replace(PHONE, (_m, a?: string, b?: string) => `***${a ?? b ?? ''}`)
    .replace(/\s+/g, ' ')
    .trim();
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}

/** `HTTP <status>: <provider's words>`, made safe. */
export function httpDetail(status: number | undefined, words?: unknown): string {
  const said = safeDetail(words);
  const head = status === undefined ? 'provider error' : `HTTP ${status}`;
  return said ? `${head}: ${said}` : head;
}
