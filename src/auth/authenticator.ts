import { hash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { HeraldError } from '../errors/herald-error';
import './caller.decorator';
import { CallerThrottle } from './caller-throttle.service';

/** The caller's name when `HERALD_AUTH=disabled`; it sees every notification. */
export const ANONYMOUS_CALLER = 'anonymous';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const BASIC = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i;

/**
 * Authenticates a request against `HERALD_API_KEYS` and applies the caller's request ceiling.
 * The key comes as `Authorization: Bearer <key>`, or as the password of HTTP Basic so that a
 * browser can open `/status` (the user name is ignored). Keys are compared as SHA-256 digests,
 * in constant time, against every caller (no early exit), so timing reveals neither a key nor
 * which caller matched. Sets `request.heraldCaller`; throws 401 `unauthorized` otherwise.
 */
@Injectable()
export class Authenticator {
  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly throttle: CallerThrottle,
  ) {}

  async authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const caller =
      this.config.auth.mode === 'disabled'
        ? { name: ANONYMOUS_CALLER, admin: true }
        : this.identify(request.headers.authorization);
    if (caller === undefined) {
      // Browsers prompt for Basic; API clients read the Bearer challenge.
      void reply.header('WWW-Authenticate', 'Bearer realm="herald", Basic realm="herald"');
      throw new HeraldError('unauthorized', 'Send a valid API key as Authorization: Bearer <key>.');
    }
    request.heraldCaller = caller.name;
    request.heraldAdmin = caller.admin;
    await this.throttle.consume(caller.name);
  }

  private identify(header: string | undefined): { name: string; admin: boolean } | undefined {
    const key = header === undefined ? undefined : keyOf(header);
    if (key === undefined) return undefined;
    // One-shot: no Hash object per request.
    const digest = hash('sha256', key, 'buffer');
    let match: { name: string; admin: boolean } | undefined;
    for (const caller of this.config.auth.callers) {
      if (timingSafeEqual(digest, caller.keySha256) && match === undefined) {
        match = { name: caller.name, admin: caller.admin };
      }
    }
    return match;
  }
}

function keyOf(header: string): string | undefined {
  const bearer = BEARER.exec(header)?.[1];
  if (bearer !== undefined) return bearer;
  const basic = BASIC.exec(header)?.[1];
  if (basic === undefined) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
}
