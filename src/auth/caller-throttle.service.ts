import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { HeraldError } from '../errors/herald-error';
import { RedisService } from '../redis/redis.service';

/**
 * Per-caller request ceiling (`HERALD_CALLER_RATE_PER_SECOND`), counted in Redis so every API
 * process shares it. Off when the rate is 0.
 */
@Injectable()
export class CallerThrottle {
  private readonly limiter?: RateLimiterRedis;

  constructor(redis: RedisService, @Inject(HERALD_CONFIG) config: HeraldConfig) {
    if (config.auth.ratePerSecond > 0) {
      this.limiter = new RateLimiterRedis({
        storeClient: redis.client,
        keyPrefix: redis.key('rl', 'caller'),
        points: config.auth.ratePerSecond,
        duration: 1,
      });
    }
  }

  /** Counts one request of `caller`; throws `caller_throttled` (with Retry-After) over the ceiling. */
  async consume(caller: string): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(caller);
    } catch (rejection) {
      // The limiter rejects with a RateLimiterRes when over the ceiling, with an Error when
      // Redis fails (which the problem filter answers with 503).
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      throw new HeraldError('caller_throttled', 'Too many requests; slow down.', {
        retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
      });
    }
  }
}
