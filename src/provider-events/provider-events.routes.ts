import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { Logger } from '@nestjs/common';
import type { ErrorCode } from '../errors/error-code';
import { fromFastify, statusOf, sendProblem } from '../errors/problem.filter';
import { isRedisUnavailable } from '../redis/redis-errors';
import { EVENT_PROVIDERS, ProviderEventsService } from './provider-events.service';

/** Largest webhook body accepted, bytes: a SendGrid batch of events fits well within it. */
const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * `POST /v1/provider-events/{sendgrid,mailgun,ses,twilio}`. Registered on Fastify itself, in a scope of its own whose
 * only body parser keeps the raw bytes of any content type: each signature covers the body (or
 * its form parameters) exactly as sent, which a parsed-and-reserialised body would not be.
 * Public (see route-policy.ts): the provider's signature is the authentication.
 */
export async function registerProviderEventRoutes(app: NestFastifyApplication): Promise<void> {
  const logger = new Logger('ProviderEventRoutes');
  const service = app.get(ProviderEventsService);
  await app.register(async (scope: FastifyInstance) => {
    // Nest's exception filter does not reach a route registered on Fastify: the same answers here.
    // A provider retries an event that was not acknowledged, so a Redis outage is a 503.
    scope.setErrorHandler(
      (err: Error & { code?: string; statusCode?: number }, _request, reply) => {
        const known = fromFastify(err);
        if (known) return sendProblem(reply, known);
        const code: ErrorCode = isRedisUnavailable(err) ? 'redis_unavailable' : 'internal';
        if (code === 'internal') logger.error({ err }, 'provider event request failed');
        return sendProblem(reply, {
          ...statusOf(code),
          code,
          detail:
            code === 'internal' ? 'Something went wrong.' : 'Redis is unavailable; try again.',
        });
      },
    );
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES },
      (_request, body, done) => done(null, body),
    );
    // One route per provider, so each is its own operation in the OpenAPI document; any other
    // provider name meets the router's 404.
    for (const provider of EVENT_PROVIDERS) {
      scope.post(`/v1/provider-events/${provider}`, async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const outcome = await service.receive({
          provider,
          url: request.url,
          headers: request.headers,
          body,
        });
        if (outcome.kind === 'refused') {
          return sendProblem(reply, {
            ...statusOf('unauthorized'),
            code: 'unauthorized',
            detail: `${provider} event refused: ${outcome.reason}`,
          });
        }
        return reply.status(200).send({ received: true });
      });
    }
  });
}
