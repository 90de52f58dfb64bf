import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { PROVIDER_NAMES, type ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { RedisService } from '../redis/redis.service';

/** Whether a send may go out now under the provider's ceiling. */
export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryInMs: number };

/**
 * Per-provider send ceilings (`<PROVIDER>_MAX_PER_SECOND`, e.g. SES's per-second quota),
 * counted in Redis so the ceiling holds across every worker. Providers without a ceiling
 * are always allowed and cost no Redis call.
 */
@Injectable()
export class ProviderRateLimits {
  private readonly limiters = new Map<ProviderName, RateLimiterRedis>();

  constructor(redis: RedisService, @Inject(HERALD_CONFIG) config: HeraldConfig) {
    for (const provider of PROVIDER_NAMES) {
      const max = config.providers[provider].maxPerSecond;
      if (max === undefined) continue;
      this.limiters.set(
        provider,
        new RateLimiterRedis({
          storeClient: redis.client,
          keyPrefix: redis.key('ratelimit'),
          points: max,
          duration: 1,
          // Once this process sees the second's budget spent, it refuses locally until the
          // budget refills (the rest of that second) instead of asking Redis again for every
          // round: the same answer, without a round trip per message at the ceiling.
          inMemoryBlockOnConsumed: max,
        }),
      );
    }
  }

  /** Whether the provider has a ceiling at all. */
  limits(provider: ProviderName): boolean {
    return this.limiters.has(provider);
  }

  /**
   * Takes one send from the provider's budget for the current second. At the ceiling, says
   * how long until the budget refills. A Redis failure is thrown, not treated as allowed.
   */
  async take(provider: ProviderName): Promise<RateDecision> {
    const limiter = this.limiters.get(provider);
    if (!limiter) return { allowed: true };
    try {
      await limiter.consume(provider, 1);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return { allowed: false, retryInMs: Math.max(1, rejection.msBeforeNext) };
      }
      throw rejection;
    }
  }
}
