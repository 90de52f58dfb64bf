import { Inject, Injectable } from '@nestjs/common';
import type { ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { RedisService } from '../redis/redis.service';

/** Sets the cool-down unless a longer one is already running: the longest wait asked for wins. */
const EXTEND_COOLDOWN = `
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return tonumber(ARGV[2])
end
return left
`;

interface ScriptedRedis {
  heraldExtendCooldown(key: string, until: string, ttlMs: number): Promise<number>;
}

/**
 * Providers resting after a 429, shared by every worker through Redis: one key per provider
 * holding the epoch-ms end of the rest, expiring with it. So no worker calls a provider
 * that asked everyone to wait, and the wait ends by itself.
 */
@Injectable()
export class ProviderCooldowns {
  private readonly scripts: ScriptedRedis;

  constructor(
    private readonly redis: RedisService,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {
    redis.client.defineCommand('heraldExtendCooldown', { numberOfKeys: 1, lua: EXTEND_COOLDOWN });
    this.scripts = redis.client as unknown as ScriptedRedis;
  }

  /**
   * Rests a provider for `retryAfterMs` (its Retry-After), or `HERALD_THROTTLE_COOLDOWN_MS`
   * when it named none. Returns the milliseconds the provider now rests, a longer running
   * cool-down included; 0 when it asked for no wait at all.
   */
  async start(provider: ProviderName, retryAfterMs?: number): Promise<number> {
    const ms = Math.ceil(retryAfterMs ?? this.config.throttle.defaultCooldownMs);
    if (ms <= 0) return 0;
    return this.scripts.heraldExtendCooldown(this.key(provider), String(Date.now() + ms), ms);
  }

  /** Epoch ms each cooling provider rests until, in one round trip; providers not cooling are absent. */
  async untilAll(providers: readonly ProviderName[]): Promise<Map<ProviderName, number>> {
    const cooling = new Map<ProviderName, number>();
    if (providers.length === 0) return cooling;
    const values = await this.redis.client.mget(...providers.map((p) => this.key(p)));
    providers.forEach((provider, i) => {
      const until = Number(values[i]);
      if (values[i] !== null && Number.isFinite(until)) cooling.set(provider, until);
    });
    return cooling;
  }

  /** Epoch ms the provider rests until, or undefined when it is not cooling down. */
  async until(provider: ProviderName): Promise<number | undefined> {
    return (await this.untilAll([provider])).get(provider);
  }

  private key(provider: ProviderName): string {
    return this.redis.key('cooldown', provider);
  }
}
