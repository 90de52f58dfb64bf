import { Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { CallerThrottle } from './caller-throttle.service';

/** API-key authentication and per-caller throttling for REST routes (`@UseGuards(ApiKeyGuard)`). */
@Module({ providers: [ApiKeyGuard, CallerThrottle], exports: [ApiKeyGuard, CallerThrottle] })
export class AuthModule {}
