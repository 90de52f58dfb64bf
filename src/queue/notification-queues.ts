import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { RedisService } from '../redis/redis.service';
import { NOTIFICATIONS_QUEUE, QUEUE_EVENTS_MAX_LEN } from './queue.constants';

/**
 * The notifications queue of each notification shard: one BullMQ queue per shard, all named
 * `HERALD_QUEUE_NAME`, each under its shard's prefix (src/queue/queue-shards.ts), so a queue's
 * keys share its shard's slot with the records of its notifications. Shard 0's is the queue
 * `@InjectQueue(NOTIFICATIONS_QUEUE)` gives; the others are made here, with its options.
 */
@Injectable()
export class NotificationQueues implements OnApplicationShutdown {
  /** Each shard's queue, by shard number. */
  readonly all: readonly Queue[];

  constructor(
    @Inject(HERALD_CONFIG) config: HeraldConfig,
    @InjectQueue(NOTIFICATIONS_QUEUE) first: Queue,
    private readonly redis: RedisService,
  ) {
    this.all = redis.shards.prefixes.map((prefix, shard) => {
      if (shard === 0) return first;
      const queue = new Queue(config.queue.name, {
        prefix,
        streams: { events: { maxLen: QUEUE_EVENTS_MAX_LEN } },
        // As shard 0's (queue.module.ts): a producer fails fast while Redis is away.
        connection: redis.connectionOptions({ enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
      });
      // Shard 0's listener (NotificationAcceptance) says why: RedisService reports an outage.
      queue.on('error', () => undefined);
      return queue;
    });
  }

  /** The queue of shard `shard`. */
  of(shard: number): Queue {
    return this.all[shard]!;
  }

  /** The queue of notification `id`'s shard: where its jobs go. */
  forId(id: string): Queue {
    return this.of(this.redis.shards.ofId(id));
  }

  /** The shard whose queue `queue` is (by its prefix). */
  shardOf(queue: { readonly opts: { readonly prefix?: string } }): number {
    const shard = this.redis.shards.prefixes.indexOf(queue.opts.prefix ?? '');
    return shard < 0 ? 0 : shard;
  }

  async onApplicationShutdown(): Promise<void> {
    // Shard 0's queue is @nestjs/bullmq's to close.
    await Promise.all(this.all.slice(1).map((queue) => queue.close().catch(() => undefined)));
  }
}
