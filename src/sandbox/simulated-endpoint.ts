import { STATUS_CODES } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { CapturedMessage } from './captured-message';
import type { SimulatedProvider } from './provider-behaviour';

/** An HTTP answer in a provider's own shape. An object body is sent as JSON. */
export interface ProviderAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Content type of a string body. Default text/plain. */
  readonly contentType?: string;
}

/** A message the provider accepted; the route adds provider, time, raw body and header id. */
export type AcceptedMessage = Omit<CapturedMessage, 'provider' | 'receivedAt' | 'raw'>;

/** The outcome of a request that got past the fault step. */
export interface SendOutcome {
  readonly answer: ProviderAnswer;
  /** Present when the provider accepted the message. */
  readonly accepted?: AcceptedMessage;
}

/**
 * One provider's send endpoint. The shared route (`provider-route.ts`) applies the
 * behaviour; the endpoint only knows its provider's wire format: checks, answers, errors.
 */
export interface SimulatedEndpoint {
  readonly provider: SimulatedProvider;
  /** Fastify route pattern of the POST, e.g. `/v3/:domain/messages`. */
  readonly path: string;
  /** Checks credentials and body as the real provider does, and answers as it does. */
  send(request: FastifyRequest): SendOutcome;
  /** The provider's JSON error for an HTTP status it fails with (5xx mostly). */
  failure(status: number): ProviderAnswer;
  /** The provider's own 429, with Retry-After in seconds. */
  throttled(retryAfterSeconds: number): ProviderAnswer;
}

/**
 * The page a load balancer in front of any provider sends on a 5xx: not JSON, which some
 * SDKs cannot parse.
 */
export function htmlFailure(status: number): ProviderAnswer {
  const reason = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return {
    status,
    contentType: 'text/html',
    body: `<html>\r\n<head><title>${reason}</title></head>\r\n<body>\r\n<center><h1>${reason}</h1></center>\r\n</body>\r\n</html>\r\n`,
  };
}

/** Seconds since the epoch, as rate-limit reset headers give them. */
export function epochSecondsIn(seconds: number): string {
  return String(Math.ceil(Date.now() / 1000) + seconds);
}

/** The request body as a plain object (an empty one when it is not). */
export function fieldsOf(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/** A field's single string value (the first of a repeated form field). */
export function stringField(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

/** Every string value of a (repeated) field. */
export function stringList(fields: Record<string, unknown>, name: string): string[] {
  const value = fields[name];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** The Basic credentials of a request, if it sent any. */
export function basicAuth(request: FastifyRequest): { user: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0
    ? undefined
    : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The token of `Authorization: Bearer <token>`, if sent. */
export function bearerToken(request: FastifyRequest): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
}

/** Drops undefined and empty values, so a captured message lists only what was sent. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(
      ([, v]) =>
        v !== undefined &&
        !(Array.isArray(v) && v.length === 0) &&
        !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0),
    ),
  ) as T;
}
