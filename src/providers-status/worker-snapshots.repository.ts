import { Inject, Injectable, Logger } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { RedisService } from '../redis/redis.service';
import { type WorkerSnapshot, workerSnapshotSchema } from './provider-status.schema';

/**
 * Workers' published provider views in Redis: one key per worker holding its JSON snapshot,
 * expiring `HERALD_STATUS_PUBLISH_MS` × 3 after its last publication, so a dead worker drops
 * out by itself; and a set naming the workers, so readers find them without scanning the
 * keyspace (which holds every notification record). Liveness is the key's TTL, kept by Redis,
 * so hosts' clocks need not agree.
 */
@Injectable()
export class WorkerSnapshotsRepository {
  private readonly logger = new Logger(WorkerSnapshotsRepository.name);

  constructor(
    private readonly redis: RedisService,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  async publish(snapshot: WorkerSnapshot): Promise<void> {
    const { ttlMs } = this.config.status;
    const results = await this.redis.client
      .multi()
      .set(this.snapshotKey(snapshot.workerId), JSON.stringify(snapshot), 'PX', ttlMs)
      .sadd(this.registryKey(), snapshot.workerId)
      // The set outlives no worker: it goes when the last one stops publishing.
      .pexpire(this.registryKey(), ttlMs)
      .exec();
    const failed = results?.find(([err]) => err !== null)?.[0];
    if (failed) throw failed;
  }

  /** Removes a worker's view at once (clean shutdown) rather than when it expires. */
  async remove(workerId: string): Promise<void> {
    await this.redis.client
      .multi()
      .del(this.snapshotKey(workerId))
      .srem(this.registryKey(), workerId)
      .exec();
  }

  /** The views of workers that published within the TTL, by worker id. */
  async live(): Promise<WorkerSnapshot[]> {
    const ids = (await this.redis.client.smembers(this.registryKey())).sort();
    if (ids.length === 0) return [];
    const values = await this.redis.client.mget(...ids.map((id) => this.snapshotKey(id)));
    const live: WorkerSnapshot[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const raw = values[i];
      if (raw === null || raw === undefined) {
        gone.push(id);
        return;
      }
      const parsed = workerSnapshotSchema.safeParse(safeJson(raw));
      if (parsed.success) live.push(parsed.data);
      // A worker of another Herald version may publish another shape: skip it, never guess.
      else this.logger.debug({ workerId: id }, 'skipping an unreadable worker snapshot');
    });
    // Expired workers leave their name behind in the set; whoever reads tidies up.
    if (gone.length > 0) await this.redis.client.srem(this.registryKey(), ...gone);
    return live;
  }

  private registryKey(): string {
    return this.redis.key('providers', 'workers');
  }

  private snapshotKey(workerId: string): string {
    return this.redis.key('providers', 'worker', workerId);
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
