import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticator } from './authenticator';

export { ANONYMOUS_CALLER } from './authenticator';

/**
 * Marks a controller as needing a caller. The key is normally checked earlier, in the
 * `onRequest` hook (`authentication.hook.ts`), before the body is read; this guard only
 * authenticates a request that hook let through (a route listed as public by mistake).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly authenticator: Authenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (request.heraldCaller === undefined) {
      await this.authenticator.authenticate(request, http.getResponse<FastifyReply>());
    }
    return true;
  }
}
