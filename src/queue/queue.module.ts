import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { RedisService } from '../redis/redis.service';
import { NotificationQueues } from './notification-queues';
import { NOTIFICATIONS_QUEUE, QUEUE_EVENTS_MAX_LEN } from './queue.constants';

/**
 * The notifications queues, one per notification shard ({@link NotificationQueues}); shard 0's
 * is also injectable as `@InjectQueue(NOTIFICATIONS_QUEUE)`. Their real name and key prefixes
 * come from configuration, so other services' producers can find them.
 */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [RedisService, HERALD_CONFIG],
      useFactory: (redis: RedisService, config: HeraldConfig) => ({
        connection: redis.connectionOptions(),
        prefix: config.queue.prefix,
      }),
    }),
    // Shard 0's queue; NotificationQueues adds the other shards'.
    BullModule.registerQueueAsync({
      name: NOTIFICATIONS_QUEUE,
      inject: [RedisService, HERALD_CONFIG],
      useFactory: (redis: RedisService, config: HeraldConfig) => ({
        name: config.queue.name,
        prefix: redis.shards.prefixes[0],
        streams: { events: { maxLen: QUEUE_EVENTS_MAX_LEN } },
        // A producer must fail fast while Redis is away, so the API can answer 503 at once. An
        // acceptance writes its record and its job in one transaction on this connection
        // (notification-acceptance.store.ts), so it must not auto-pipeline.
        connection: redis.connectionOptions({ enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
      }),
    }),
  ],
  providers: [NotificationQueues],
  exports: [BullModule, NotificationQueues],
})
export class QueueModule {}
