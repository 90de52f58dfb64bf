import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { once } from 'node:events';
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { redisOptionsFromUrl } from './redis-options';

/** Milliseconds between reconnection attempts, at most. */
const MAX_RECONNECT_DELAY_MS = 2_000;
/** Milliseconds a command may wait for Redis before the caller gets a 503. */
const COMMAND_TIMEOUT_MS = 1_000;
/** Milliseconds start-up waits for a first connection before serving anyway (and answering 503). */
const STARTUP_WAIT_MS = 2_000;

/**
 * Herald's one door to Redis. `client` serves Herald's own keys and fails fast while Redis
 * is away (no offline queue), so an HTTP request answers 503 instead of hanging.
 * BullMQ gets connections of its own from {@link connectionOptions}.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  private readonly base: RedisOptions;
  readonly client: Redis;
  private reachable = true;

  constructor(@Inject(HERALD_CONFIG) private readonly config: HeraldConfig) {
    this.base = {
      ...redisOptionsFromUrl(config.redis.url),
      // Reconnect forever: a Redis outage must not crash-loop the process.
      retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
    };
    this.client = new Redis({
      ...this.base,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectionName: 'herald',
      // Concurrent requests' commands share one write per tick (BullMQ's blocking connections
      // are separate and must not pipeline).
      enableAutoPipelining: true,
    });
    this.client.on('error', (err: Error) => this.markUnreachable(err));
    this.client.on('ready', () => {
      if (!this.reachable) this.logger.log('Redis connection restored');
      this.reachable = true;
    });
  }

  /**
   * Gives Redis a moment to connect before Herald serves, so the first requests after a start
   * do not fail for a connection that was seconds away; a Redis that stays down does not hold
   * the start (the process serves /health/live and answers 503 until it arrives).
   */
  async onModuleInit(): Promise<void> {
    if (this.client.status === 'ready') return;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, STARTUP_WAIT_MS).unref());
    await Promise.race([once(this.client, 'ready').catch(() => undefined), timeout]);
  }

  /** A key under Herald's prefix: `key('ntf', id)` → `herald:ntf:<id>`. */
  key(...parts: string[]): string {
    return [this.config.queue.prefix, ...parts].join(':');
  }

  /** Options for a new connection (BullMQ's queues and workers), with Herald's reconnect policy. */
  connectionOptions(overrides: RedisOptions = {}): BullRedisOptions {
    return { ...this.base, ...overrides } as BullRedisOptions;
  }

  /** Whether Redis answers a PING right now. */
  async isReady(): Promise<boolean> {
    if (this.client.status !== 'ready') return false;
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private markUnreachable(err: Error): void {
    // One line per outage, not one per reconnection attempt.
    if (this.reachable) {
      this.logger.warn(
        { err: { message: err.message, code: (err as NodeJS.ErrnoException).code } },
        'Redis unreachable; retrying in the background',
      );
    }
    this.reachable = false;
  }
}
