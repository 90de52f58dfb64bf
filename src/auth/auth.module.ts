import { Global, Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { Authenticator } from './authenticator';
import { CallerThrottle } from './caller-throttle.service';

/**
 * API-key authentication and per-caller throttling. Global: the `onRequest` hook runs in every
 * role, and controllers mark routes with `@UseGuards(ApiKeyGuard)`.
 */
@Global()
@Module({
  providers: [Authenticator, ApiKeyGuard, CallerThrottle],
  exports: [Authenticator, ApiKeyGuard, CallerThrottle],
})
export class AuthModule {}
