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

/**
 * Milliseconds a cool-down read is reused by every round of this process. At 50 rounds in
 * flight, each reading the cool-downs of its order, this turns one Redis round trip per round
 * into one per provider every few milliseconds; a cool-down another worker starts is seen that
 * much later (one this process starts, at once).
 */
export const COOLDOWN_READ_CACHE_MS = 20;

interface CachedRead {
  /** Epoch ms the provider rests until; undefined when it was not cooling. */
  readonly until?: number;
  readonly readAt: number;
}

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
  private readonly cache = new Map<ProviderName, CachedRead>();
  /** Reads under way, so rounds that start together share one. */
  private readonly reading = new Map<ProviderName, Promise<void>>();

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
    const rest = await this.scripts.heraldExtendCooldown(
      this.key(provider),
      String(Date.now() + ms),
      ms,
    );
    const now = Date.now();
    this.cache.set(provider, { until: now + rest, readAt: now });
    return rest;
  }

  /**
   * Epoch ms each cooling provider rests until; providers not cooling are absent. At most one
   * round trip, none when this process read them in the last {@link COOLDOWN_READ_CACHE_MS}.
   */
  async untilAll(providers: readonly ProviderName[]): Promise<Map<ProviderName, number>> {
    const now = Date.now();
    const stale = providers.filter((p) => {
      const read = this.cache.get(p);
      return (
        (read === undefined || now - read.readAt >= COOLDOWN_READ_CACHE_MS) && !this.reading.has(p)
      );
    });
    if (stale.length > 0) {
      const read = this.read(stale);
      for (const p of stale) this.reading.set(p, read);
    }
    await Promise.all(new Set(providers.map((p) => this.reading.get(p)).filter(Boolean)));
    const cooling = new Map<ProviderName, number>();
    for (const provider of providers) {
      const until = this.cache.get(provider)?.until;
      if (until !== undefined) cooling.set(provider, until);
    }
    return cooling;
  }

  private async read(providers: readonly ProviderName[]): Promise<void> {
    try {
      const values = await this.redis.client.mget(...providers.map((p) => this.key(p)));
      const readAt = Date.now();
      providers.forEach((provider, i) => {
        const until = Number(values[i]);
        this.cache.set(provider, {
          ...(values[i] !== null && Number.isFinite(until) ? { until } : {}),
          readAt,
        });
      });
    } finally {
      for (const p of providers) this.reading.delete(p);
    }
  }

  /**
   * True when this process read the provider's cool-down within the reuse period and it was not
   * cooling; false when it was, or when no such read is at hand. Costs nothing.
   */
  knownNotCooling(provider: ProviderName, now = Date.now()): boolean {
    const read = this.cache.get(provider);
    return (
      read !== undefined &&
      now - read.readAt < COOLDOWN_READ_CACHE_MS &&
      (read.until === undefined || read.until <= now)
    );
  }

  /** Epoch ms the provider rests until, or undefined when it is not cooling down. */
  async until(provider: ProviderName): Promise<number | undefined> {
    return (await this.untilAll([provider])).get(provider);
  }

  private key(provider: ProviderName): string {
    return this.redis.key('cooldown', provider);
  }
}
