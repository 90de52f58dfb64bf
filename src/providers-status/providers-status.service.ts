import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { ProviderCooldowns } from '../delivery/provider-cooldowns';
import { isRedisUnavailable } from '../redis/redis-errors';
import { combineProviderViews } from './combine-provider-views';
import { DeliveryEventRates, withRates } from './delivery-event-rates';
import { LocalProviderView } from './local-provider-view';
import type {
  DeliveryEventCounts,
  ProvidersStatus,
  WorkerSnapshot,
} from './provider-status.schema';
import { WorkerSnapshotsRepository } from './worker-snapshots.repository';

/**
 * What `GET /v1/providers` and `/status` show: every worker's published view (read from
 * Redis), this process's own view when it is a worker too (fresher than its publication, and
 * still there while Redis is away), the shared cool-downs, and the combination.
 */
@Injectable()
export class ProvidersStatusService {
  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly snapshots: WorkerSnapshotsRepository,
    private readonly cooldowns: ProviderCooldowns,
    private readonly eventRates: DeliveryEventRates,
    /** Present in roles that deliver (`all`); an `api` process has no breakers. */
    @Optional() private readonly local?: LocalProviderView,
  ) {}

  /** Throws a Redis error only when Redis is down and there is no local view to show. */
  async status(): Promise<ProvidersStatus> {
    const own = this.local ? await this.local.snapshot() : undefined;
    let published: WorkerSnapshot[] = [];
    let cooling = new Map<ProviderName, number>();
    let events: Map<ProviderName, DeliveryEventCounts> | undefined;
    let redisReachable = true;
    try {
      [published, cooling, events] = await Promise.all([
        this.snapshots.live(),
        this.cooldowns.untilAll(Object.values(this.config.order).flat()),
        this.eventRates.counts(),
      ]);
    } catch (err) {
      if (own === undefined || !isRedisUnavailable(err)) throw err;
      redisReachable = false;
    }
    const workers = [
      ...(own ? [own] : []),
      ...published.filter((s) => s.workerId !== own?.workerId),
    ];
    return {
      generatedAt: new Date().toISOString(),
      windowMs: this.config.breaker.rollingWindowMs,
      redisReachable,
      workers: workers.map((s) => ({
        workerId: s.workerId,
        role: s.role,
        publishedAt: s.publishedAt,
        local: s.workerId === own?.workerId,
      })),
      providers: combineProviderViews(this.config, workers, cooling).map((p) =>
        events && p.kind !== 'chat'
          ? { ...p, deliveryEvents: events.get(p.provider) ?? withRates(NO_EVENTS) }
          : p,
      ),
    };
  }
}

const NO_EVENTS = { delivered: 0, bounced: 0, undelivered: 0, complained: 0 };
