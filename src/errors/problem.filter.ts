import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ErrorCode } from './error-code';
import { type FieldProblem, HeraldError } from './herald-error';
import { redisUnavailableReason } from '../redis/redis-errors';

/** One problem+json answer, before it is written. */
export interface Problem {
  readonly status: number;
  readonly code: ErrorCode;
  readonly title: string;
  readonly detail: string;
  readonly errors?: readonly FieldProblem[];
  readonly retryAfterSeconds?: number;
}

/** HTTP status and title of each code. Exhaustive: a new code fails to compile until mapped. */
export function statusOf(code: ErrorCode): { status: number; title: string } {
  switch (code) {
    case 'validation_failed':
      return { status: 400, title: 'The request is invalid' };
    case 'malformed_json':
      return { status: 400, title: 'The body is not valid JSON' };
    case 'invalid_idempotency_key':
      return { status: 400, title: 'The Idempotency-Key header is invalid' };
    case 'unauthorized':
      return { status: 401, title: 'Missing or wrong API key' };
    case 'forbidden':
      return { status: 403, title: 'This API key may not do that' };
    case 'not_found':
      return { status: 404, title: 'Not found' };
    case 'method_not_allowed':
      return { status: 405, title: 'This path does not serve that method' };
    case 'idempotency_key_in_flight':
      return { status: 409, title: 'A request with this Idempotency-Key is still being accepted' };
    case 'notification_not_retryable':
      return { status: 409, title: 'Only a failed notification can be retried' };
    case 'notification_rejected':
      return { status: 409, title: 'A provider refused this notification for good' };
    case 'notification_not_cancellable':
      return { status: 409, title: 'The notification is being sent or already finished' };
    case 'payload_too_large':
      return { status: 413, title: 'The body is too large' };
    case 'uri_too_long':
      return { status: 414, title: 'The URL is too long' };
    case 'unsupported_media_type':
      return { status: 415, title: 'The body must be application/json' };
    case 'idempotency_key_reused':
      return { status: 422, title: 'This Idempotency-Key was used with another body' };
    case 'channel_not_configured':
      return { status: 422, title: 'No provider is configured for this channel' };
    case 'template_not_found':
      return { status: 422, title: 'No such template, or none for this channel' };
    case 'template_data_invalid':
      return { status: 400, title: "The data does not match the template's schema" };
    case 'template_render_failed':
      return { status: 422, title: 'The template could not render this data' };
    case 'template_output_invalid':
      return { status: 422, title: 'The rendered content breaks the message limits' };
    case 'event_endpoint_host_not_allowed':
      return { status: 422, title: 'Herald may not post events to that host' };
    case 'recipient_suppressed':
      return { status: 422, title: 'The recipient is on the suppression list' };
    case 'caller_throttled':
      return { status: 429, title: 'Too many requests' };
    case 'redis_unavailable':
      return { status: 503, title: 'Storage is unavailable; try again shortly' };
    case 'not_ready':
      return { status: 503, title: 'Not ready: a dependency is down' };
    case 'internal':
      return { status: 500, title: 'Internal error' };
    default: {
      const unmapped: never = code;
      throw new Error(`unmapped error code ${String(unmapped)}`);
    }
  }
}

/** Fastify's own errors (raised before a route runs), by their code. */
export function fromFastify(err: {
  code?: string;
  statusCode?: number;
  message: string;
}): Problem | undefined {
  const make = (code: ErrorCode, detail: string): Problem => ({ ...statusOf(code), code, detail });
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return make('payload_too_large', 'The body exceeds the configured limit.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return make('unsupported_media_type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return make('malformed_json', 'The body is empty.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return make('malformed_json', err.message);
    // The router's own messages quote the path: the detail must not echo what the caller sent.
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return make('uri_too_long', 'A path segment is longer than 100 characters.');
    case 'FST_ERR_BAD_URL':
      return {
        ...make('validation_failed', 'The URL is not valid.'),
        errors: [{ field: '(url)', message: 'holds a malformed percent-encoding' }],
      };
  }
  if (err instanceof SyntaxError && (err as { statusCode?: number }).statusCode === 400) {
    return make('malformed_json', err.message);
  }
  return undefined;
}

/** The problem+json body (RFC 9457) of a problem. */
export function problemBody(problem: Problem): Record<string, unknown> {
  return {
    type: `urn:herald:error:${problem.code}`,
    title: problem.title,
    status: problem.status,
    code: problem.code,
    detail: problem.detail,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
}

/** Writes a problem as `application/problem+json`. */
export function sendProblem(reply: FastifyReply, problem: Problem): void {
  if (problem.retryAfterSeconds !== undefined) {
    void reply.header('Retry-After', String(problem.retryAfterSeconds));
  }
  void reply.status(problem.status).type('application/problem+json').send(problemBody(problem));
}

/** Turns every error into `application/problem+json` (RFC 9457) with a stable `code`. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const problem = this.toProblem(exception);
    if (problem.code === 'internal') {
      this.logger.error({ err: exception, code: problem.code }, 'request failed');
    }
    sendProblem(reply, problem);
  }

  private toProblem(exception: unknown): Problem {
    return problemOf(exception);
  }
}

/** The problem an error answers with: by its code, a Redis outage, a Nest or Fastify error. */
export function problemOf(exception: unknown): Problem {
  if (exception instanceof HeraldError) {
    return {
      ...statusOf(exception.code),
      code: exception.code,
      detail: exception.message,
      errors: exception.extra.errors,
      retryAfterSeconds: exception.extra.retryAfterSeconds,
    };
  }
  const redisReason = redisUnavailableReason(exception);
  if (redisReason !== undefined) {
    return {
      ...statusOf('redis_unavailable'),
      code: 'redis_unavailable',
      detail:
        redisReason === 'unreachable'
          ? 'Redis did not answer.'
          : `Redis cannot take this work right now (${redisReason.replaceAll('_', ' ')}).`,
      retryAfterSeconds: 1,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code: ErrorCode =
      status === 404
        ? 'not_found'
        : status === 401
          ? 'unauthorized'
          : status === 413
            ? 'payload_too_large'
            : status === 415
              ? 'unsupported_media_type'
              : status < 500
                ? 'validation_failed'
                : 'internal';
    return {
      ...statusOf(code),
      code,
      detail: status === 404 ? 'No such route.' : exception.message,
    };
  }
  if (exception && typeof exception === 'object' && 'message' in exception) {
    const fastify = fromFastify(
      exception as { code?: string; statusCode?: number; message: string },
    );
    if (fastify) return fastify;
  }
  return { ...statusOf('internal'), code: 'internal', detail: 'An unexpected error occurred.' };
}
