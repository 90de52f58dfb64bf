import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HeraldConfig } from '../config/herald-config';
import { Authenticator } from './authenticator';
import { type RoutePolicy, routePolicy } from './route-policy';

/**
 * Checks the API key in Fastify's `onRequest` hook, before the body is read or parsed: a
 * caller without a valid key gets 401 whatever it sends (a bad, huge or mistyped body
 * included), and costs Herald no body parsing.
 */
export function useAuthentication(app: NestFastifyApplication, config: HeraldConfig): void {
  const authenticator = app.get(Authenticator);
  // By route pattern (a few dozen, fixed at start), so a request does not match the list again.
  const policies = new Map<string | undefined, RoutePolicy>();
  const policyOf = (url: string | undefined): RoutePolicy => {
    let policy = policies.get(url);
    if (policy === undefined) policies.set(url, (policy = routePolicy(url, config)));
    return policy;
  };
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      if (policyOf(request.routeOptions.url) === 'public') return;
      // Nest's adapter bundles its own copy of Fastify's types; the objects are the same.
      await authenticator.authenticate(
        request as unknown as FastifyRequest,
        reply as unknown as FastifyReply,
      );
    });
}
