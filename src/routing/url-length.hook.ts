import type { FastifyInstance } from 'fastify';
import { sendProblem, statusOf } from '../errors/problem.filter';

/**
 * The longest request target (path and query) Herald reads, in characters: what common proxies
 * allow by default, and far beyond any URL of Herald's API.
 */
export const MAX_URL_CHARS = 8192;

/**
 * Answers 414 `uri_too_long` to a longer URL before anything else runs (authentication and
 * routing included). Node's parser lets a request line grow up to its 16 KiB header limit, and
 * Fastify caps only each path parameter (`maxParamLength`, answered by `answerRouterError`).
 */
export function refuseLongUrls(instance: FastifyInstance): void {
  instance.addHook('onRequest', (request, reply, done) => {
    if (request.url.length <= MAX_URL_CHARS) return done();
    sendProblem(reply, {
      ...statusOf('uri_too_long'),
      code: 'uri_too_long',
      detail: `The URL is longer than ${MAX_URL_CHARS} characters.`,
    });
  });
}
