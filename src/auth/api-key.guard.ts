import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { HeraldError } from '../errors/herald-error';
import './caller.decorator';
import { CallerThrottle } from './caller-throttle.service';

/** The caller's name when `HERALD_AUTH=disabled`. */
export const ANONYMOUS_CALLER = 'anonymous';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Authenticates `Authorization: Bearer <key>` against `HERALD_API_KEYS` and applies the
 * caller's request ceiling. Keys are compared as SHA-256 digests, in constant time, against
 * every caller (no early exit), so timing reveals neither a key nor which caller matched.
 * Sets the caller's name for `@Caller()`; answers 401 `unauthorized` otherwise.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly throttle: CallerThrottle,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const caller =
      this.config.auth.mode === 'disabled'
        ? ANONYMOUS_CALLER
        : this.identify(request.headers.authorization);
    if (caller === undefined) {
      void http.getResponse<FastifyReply>().header('WWW-Authenticate', 'Bearer realm="herald"');
      throw new HeraldError('unauthorized', 'Send a valid API key as Authorization: Bearer <key>.');
    }
    request.heraldCaller = caller;
    await this.throttle.consume(caller);
    return true;
  }

  private identify(header: string | undefined): string | undefined {
    const key = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (key === undefined) return undefined;
    const digest = createHash('sha256').update(key).digest();
    let match: string | undefined;
    for (const caller of this.config.auth.callers) {
      if (timingSafeEqual(digest, caller.keySha256) && match === undefined) match = caller.name;
    }
    return match;
  }
}
