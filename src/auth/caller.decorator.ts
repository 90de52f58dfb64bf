import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller's name, set by `ApiKeyGuard`. */
    heraldCaller?: string;
  }
}

/** The authenticated caller's name (from `ApiKeyGuard`): `@Caller() caller: string`. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const caller = ctx.switchToHttp().getRequest<FastifyRequest>().heraldCaller;
  // A route using @Caller() without the guard is a programming error, not a caller's.
  if (caller === undefined) throw new Error('@Caller() used on a route without ApiKeyGuard');
  return caller;
});
