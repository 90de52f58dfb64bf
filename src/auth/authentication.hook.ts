import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HeraldConfig } from '../config/herald-config';
import { Authenticator } from './authenticator';
import { routePolicy } from './route-policy';

/**
 * Checks the API key in Fastify's `onRequest` hook, before the body is read or parsed: a
 * caller without a valid key gets 401 whatever it sends (a bad, huge or mistyped body
 * included), and costs Herald no body parsing.
 */
export function useAuthentication(app: NestFastifyApplication, config: HeraldConfig): void {
  const authenticator = app.get(Authenticator);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      if (routePolicy(request.routeOptions.url, config) === 'public') return;
      // Nest's adapter bundles its own copy of Fastify's types; the objects are the same.
      await authenticator.authenticate(
        request as unknown as FastifyRequest,
        reply as unknown as FastifyReply,
      );
    });
}
