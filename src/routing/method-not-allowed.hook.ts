import type { FastifyInstance } from 'fastify';
import { sendProblem, statusOf } from '../errors/problem.filter';

/**
 * Answers 405 `method_not_allowed`, with `Allow` listing the methods that path serves, when a
 * request's path is routed but not for its method (RFC 9110 §15.5.6). Fastify's router only
 * knows found or not found, so a request it did not route is looked up again under each method
 * it supports; only unrouted requests pay for that. A path no method serves stays a 404.
 */
export function answerUnroutedMethods(instance: FastifyInstance): void {
  instance.addHook('onRequest', (request, reply, done) => {
    if (!request.is404) return done();
    const path = request.url.split('?', 1)[0]!;
    const allowed = instance.supportedMethods.filter(
      (method) => instance.findRoute({ method, url: path }) !== null,
    );
    if (allowed.length === 0) return done();
    void reply.header('Allow', allowed.sort().join(', '));
    sendProblem(reply, {
      ...statusOf('method_not_allowed'),
      code: 'method_not_allowed',
      detail: `${request.method} is not served here; this path serves ${allowed.join(', ')}.`,
    });
  });
}
