import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { isRedisUnavailable } from '../redis/redis-errors';
import { LocalProviderView } from './local-provider-view';
import { WorkerSnapshotsRepository } from './worker-snapshots.repository';

/**
 * Publishes this worker's provider view to Redis every `HERALD_STATUS_PUBLISH_MS`, so an `api`
 * process, which has no breakers of its own, can show every worker's (breaker
 * state is per process). A publication lives three periods: a killed worker drops out by
 * itself; a worker stopping cleanly removes its view at once.
 */
@Injectable()
export class ProviderSnapshotPublisher
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(ProviderSnapshotPublisher.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** One warning per Redis outage, not one per period. */
  private failing = false;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly local: LocalProviderView,
    private readonly snapshots: WorkerSnapshotsRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.status.publishMs);
    this.timer.unref();
  }

  /**
   * Before Redis closes (its hook is `onApplicationShutdown`) and after the queue worker has
   * finished its jobs (`onModuleDestroy`), so the view stays published while the worker drains.
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.snapshots.remove(this.local.workerId).catch(() => undefined);
  }

  private tick(): void {
    // A slow Redis must not pile publications up: skip a period instead.
    if (this.running) return;
    this.running = this.publish().finally(() => (this.running = undefined));
  }

  private async publish(): Promise<void> {
    try {
      await this.local.sample();
      await this.snapshots.publish(await this.local.snapshot());
      if (this.failing) this.logger.debug('publishing the provider view again');
      this.failing = false;
    } catch (err) {
      // RedisService already says when Redis is away (and it is, briefly, at every start).
      if (!this.failing && !isRedisUnavailable(err)) {
        this.logger.warn(
          { err: { message: (err as Error).message } },
          'cannot publish the provider view; GET /v1/providers misses this worker until it can',
        );
      }
      this.failing = true;
    }
  }
}
