import type { ServerResponse } from 'node:http';
import { fromFastify, problemBody, statusOf } from '../errors/problem.filter';

/**
 * Fastify's `frameworkErrors`: the router's own refusals (a path segment over `maxParamLength`,
 * a malformed percent-encoding) happen before any hook or Nest filter, and Fastify would answer
 * them with JSON of its own that echoes the path. They get problem+json like every other error.
 * Written to the raw response, as Fastify does there: no hook runs for these requests, and the
 * reply's type is that of the Fastify inside Nest's adapter, not the one this package imports.
 */
export function answerRouterError(
  error: { readonly code?: string; readonly message: string },
  request: { readonly id: string },
  reply: { readonly raw: ServerResponse },
): void {
  const problem = fromFastify(error) ?? {
    ...statusOf('internal'),
    code: 'internal',
    detail: 'An unexpected error occurred.',
  };
  const body = JSON.stringify(problemBody(problem));
  reply.raw.writeHead(problem.status, {
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': request.id,
  });
  reply.raw.end(body);
}
