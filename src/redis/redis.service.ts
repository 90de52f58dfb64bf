import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { RedisOptions as BullRedisOptions, ConnectionOptions } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { createRedisClient, type RedisClient } from './redis-client.factory';
import { redisOptionsFromUrl } from './redis-options';
import { redisUnavailableReason } from './redis-errors';
import { QueueShards } from '../queue/queue-shards';

/** Milliseconds between reconnection attempts, at most. */
const MAX_RECONNECT_DELAY_MS = 2_000;
/** Milliseconds a command may wait for Redis before the caller gets a 503. */
const COMMAND_TIMEOUT_MS = 1_000;
/** Milliseconds start-up waits for a first connection before serving anyway (and answering 503). */
const STARTUP_WAIT_MS = 2_000;
/** Milliseconds the readiness probe's key lives: it only has to outlast its own script. */
const PROBE_TTL_MS = 10_000;

/**
 * Readiness probe: a write and a read of one key in one script, as Herald's own work is. A
 * PING passes on a full Redis (OOM under noeviction), a read-only replica or a cluster node
 * that does not own the key's slot; this fails on each, with the error that says why.
 */
const PROBE_SCRIPT = `redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return redis.call('GET', KEYS[1])`;

/** What the readiness probe found: ready, or why not. */
export type RedisProbe = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Herald's one door to Redis. `client` serves Herald's own keys and fails fast while Redis
 * is away (no offline queue), so an HTTP request answers 503 instead of hanging.
 * BullMQ gets connections of its own from {@link connectionOptions}, every other connection
 * comes from {@link createClient}: one Redis or a Redis Cluster, as configured.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  private readonly base: RedisOptions;
  readonly client: RedisClient;
  /** The notification shards: each one's key prefix, and which shard an id or key is on. */
  readonly shards: QueueShards;
  private reachable = true;
  /** Cluster clients handed out, closed at shutdown (BullMQ leaves a client it was given open). */
  private readonly handedOut: RedisClient[] = [];
  private readonly probeToken = randomUUID();

  constructor(@Inject(HERALD_CONFIG) private readonly config: HeraldConfig) {
    this.shards = new QueueShards(config.queue.prefix, config.queue.shards);
    this.base = {
      // Reconnect forever: a Redis outage must not crash-loop the process.
      retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
    };
    this.client = createRedisClient(config.redis, {
      ...this.base,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectionName: 'herald',
      // Concurrent requests' commands share one write per tick (BullMQ's blocking connections
      // are separate and must not pipeline).
      enableAutoPipelining: true,
    });
    this.client.defineCommand('heraldProbe', { numberOfKeys: 1, lua: PROBE_SCRIPT });
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

  /**
   * A key under Herald's prefix, shared by every notification shard (cool-downs, endpoints,
   * worker snapshots…): `key('cooldown', p)` → `herald:cooldown:<p>`. A notification's own keys
   * are under its shard's prefix instead ({@link shards}).
   */
  key(...parts: string[]): string {
    return [this.config.queue.prefix, ...parts].join(':');
  }

  /**
   * A connection for BullMQ's queues and workers, with Herald's reconnect policy: options on
   * one Redis (BullMQ makes and closes its connections, as before), a cluster client (not yet
   * connected) on a cluster, since BullMQ makes only single-server connections from options.
   */
  connectionOptions(overrides: RedisOptions = {}): ConnectionOptions {
    if (!this.config.redis.cluster) {
      return {
        ...redisOptionsFromUrl(this.config.redis.url),
        ...this.base,
        ...overrides,
      } as BullRedisOptions;
    }
    // Not connected until BullMQ connects it, or duplicates it (a worker) and never uses it.
    return this.createClient({ ...overrides, lazyConnect: true });
  }

  /**
   * A new connection of the caller's own (e.g. for a blocking read), with Herald's reconnect
   * policy, to one Redis or the cluster as configured. On a cluster it is closed at shutdown.
   */
  createClient(overrides: RedisOptions = {}): RedisClient {
    const client = createRedisClient(this.config.redis, { ...this.base, ...overrides });
    if (this.config.redis.cluster) this.handedOut.push(client);
    return client;
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

  /**
   * Whether Herald can do its work on Redis right now: one round trip through a script that
   * writes and reads a key under Herald's prefix and one under each notification shard's (so on
   * a cluster, on the master of each slot Herald uses). When not, why: the reason the error
   * gives, or what it says.
   */
  async probe(): Promise<RedisProbe> {
    if (this.client.status !== 'ready') {
      return { ok: false, reason: `Redis does not answer (connection ${this.client.status})` };
    }
    try {
      if (!this.config.redis.cluster && (await this.isClusterNode())) {
        return {
          ok: false,
          reason:
            'REDIS_URL names a node of a Redis Cluster, whose other nodes hold most keys: set REDIS_CLUSTER_NODES',
        };
      }
      const probe = (
        this.client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>
      ).heraldProbe!;
      // Under the shared prefix and under each shard's: on a cluster, each slot's master.
      const keys = [this.key('health', 'probe')];
      if (this.shards.count > 1) {
        keys.push(...this.shards.all.map((shard) => this.shards.key(shard, 'health', 'probe')));
      }
      const values = await Promise.all(
        keys.map((key) => probe.call(this.client, key, this.probeToken, PROBE_TTL_MS)),
      );
      return values.every((value) => value === this.probeToken)
        ? { ok: true }
        : { ok: false, reason: 'Redis did not keep a write of the readiness probe' };
    } catch (err) {
      const reason = redisUnavailableReason(err);
      const message = err instanceof Error ? err.message : String(err);
      return {
        ok: false,
        reason: `Redis cannot take Herald's work${reason ? ` (${reason.replaceAll('_', ' ')})` : ''}: ${message}`,
      };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [this.client, ...this.handedOut].map((c) =>
        c.status === 'wait' || c.status === 'end'
          ? c.disconnect()
          : c.quit().then(
              () => undefined,
              () => c.disconnect(),
            ),
      ),
    );
  }

  /** Whether the one server at REDIS_URL runs in cluster mode. */
  private async isClusterNode(): Promise<boolean> {
    return /^cluster_enabled:1\b/m.test(await this.client.info('cluster'));
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
