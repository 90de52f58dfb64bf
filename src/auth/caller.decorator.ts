import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller's name, set by `Authenticator`. */
    heraldCaller?: string;
    /** Whether that caller has the `admin` scope (or authentication is disabled). */
    heraldAdmin?: boolean;
  }
}

/** The authenticated caller's name (from `ApiKeyGuard`): `@Caller() caller: string`. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const caller = ctx.switchToHttp().getRequest<FastifyRequest>().heraldCaller;
  // A route using @Caller() without the guard is a programming error, not a caller's.
  if (caller === undefined) throw new Error('@Caller() used on a route without ApiKeyGuard');
  return caller;
});

/** Who is calling, as far as notifications go: `@CallerScope() caller: CallerIdentity`. */
export interface CallerIdentity {
  readonly name: string;
  /** Sees and acts on every caller's notifications. */
  readonly admin: boolean;
}

/** The authenticated caller's name and scope (from `ApiKeyGuard`). */
export const CallerScope = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): CallerIdentity => {
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    if (request.heraldCaller === undefined) {
      throw new Error('@CallerScope() used on a route without ApiKeyGuard');
    }
    return { name: request.heraldCaller, admin: request.heraldAdmin === true };
  },
);
