import { Inject, Injectable } from '@nestjs/common';
import { PROVIDER_NAMES, type ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import type { ProviderEventType } from '../contracts/notification-record';
import { RedisService } from '../redis/redis.service';
import type { DeliveryEventCounts } from './provider-status.schema';

/** The event types the rates are made of. */
const COUNTED = ['delivered', 'bounced', 'undelivered', 'complained'] as const;
type Counted = (typeof COUNTED)[number];

/** About this many buckets make up the window: the window's edge is that precise. */
const BUCKETS_PER_WINDOW = 12;

/**
 * Provider events applied over the status window, per provider and type, for the bounce and
 * complaint rates of `GET /v1/providers` and `/status`. Kept in Redis, not in a process: any
 * API process may receive a provider's events, and every API process shows the same rates.
 * One hash per time bucket (`<prefix>:pevr:<bucket start ms>`, fields `<provider>:<type>`),
 * expiring once no window reaches it: a count is an HINCRBY and a PEXPIRE, a read one HGETALL
 * per bucket of the window.
 */
@Injectable()
export class DeliveryEventRates {
  private readonly windowMs: number;
  private readonly bucketMs: number;

  constructor(
    private readonly redis: RedisService,
    @Inject(HERALD_CONFIG) config: HeraldConfig,
  ) {
    this.windowMs = config.breaker.rollingWindowMs;
    this.bucketMs = Math.max(1_000, Math.ceil(this.windowMs / BUCKETS_PER_WINDOW));
  }

  private bucketKey(start: number): string {
    return this.redis.key('pevr', String(start));
  }

  /** Counts one applied event of `type` (types the rates do not use are not counted). */
  async count(provider: ProviderName, type: ProviderEventType): Promise<void> {
    if (!(COUNTED as readonly string[]).includes(type)) return;
    const start = Math.floor(Date.now() / this.bucketMs) * this.bucketMs;
    const key = this.bucketKey(start);
    // Two commands, not a transaction: a bucket that missed its expiry would be given one by
    // the next event, and no window reads past its end anyway.
    await Promise.all([
      this.redis.client.hincrby(key, `${provider}:${type}`, 1),
      this.redis.client.pexpire(key, this.windowMs + 2 * this.bucketMs),
    ]);
  }

  /** Each provider's counts and rates over the window ending now. */
  async counts(now = Date.now()): Promise<Map<ProviderName, DeliveryEventCounts>> {
    const last = Math.floor(now / this.bucketMs) * this.bucketMs;
    const pipeline = this.redis.client.pipeline();
    for (let start = last; start > now - this.windowMs; start -= this.bucketMs) {
      pipeline.hgetall(this.bucketKey(start));
    }
    const totals = new Map<ProviderName, Record<Counted, number>>();
    for (const [err, fields] of (await pipeline.exec()) ?? []) {
      if (err) throw err;
      for (const [field, value] of Object.entries(fields as Record<string, string>)) {
        const [provider, type] = field.split(':') as [ProviderName, Counted];
        if (!PROVIDER_NAMES.includes(provider) || !COUNTED.includes(type)) continue;
        const byType = totals.get(provider) ?? {
          delivered: 0,
          bounced: 0,
          undelivered: 0,
          complained: 0,
        };
        byType[type] += Number(value);
        totals.set(provider, byType);
      }
    }
    return new Map([...totals].map(([provider, t]) => [provider, withRates(t)]));
  }
}

/**
 * Bounce rate: bounced among the outcomes (delivered, bounced, undelivered) reported in the
 * window; complaint rate: complaints per delivered message reported in the window. Both are
 * percentages rounded to one decimal; 0 when there is nothing to divide by.
 */
export function withRates(t: Record<Counted, number>): DeliveryEventCounts {
  const percent = (part: number, whole: number) =>
    whole === 0 ? 0 : Math.min(100, Math.round((1000 * part) / whole) / 10);
  return {
    ...t,
    bouncePercent: percent(t.bounced, t.delivered + t.bounced + t.undelivered),
    complaintPercent: percent(t.complained, t.delivered),
  };
}
