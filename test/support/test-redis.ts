import { once } from 'node:events';
import { Cluster, Redis } from 'ioredis';
import { inject } from 'vitest';
import type { HeraldConfig } from '../../src/config/herald-config';
import { shardPrefixes } from '../../src/queue/queue-shards';
import { createRedisClient, type RedisClient } from '../../src/redis/redis-client.factory';
import { startRedisCluster } from './redis-cluster';
import { startRedisServer } from './redis-server';

/**
 * Queue shards Herald runs with on the test cluster (HERALD_QUEUE_SHARDS), so the cluster run
 * spreads each spec's notifications over the masters. The specs hold for any count: what they
 * count or look up of Redis is taken over every shard.
 */
export const CLUSTER_QUEUE_SHARDS = 3;

/** Whether this run's specs talk to a Redis Cluster (`npm run test:cluster`), not one Redis. */
export function onCluster(): boolean {
  return Boolean(inject('redisClusterNodes'));
}

/**
 * A key prefix as the run's Redis needs it: on a cluster the prefix is one hash tag, so each
 * spec's keys stay apart from the others' as they do on one Redis.
 */
export function prefixForRun(prefix: string): string {
  return onCluster() ? `{${prefix}}` : prefix;
}

/**
 * The variables that point Herald at the run's Redis under `prefix`: REDIS_URL on one Redis;
 * on a cluster REDIS_CLUSTER_NODES (REDIS_URL unset), the prefix as a hash tag and
 * {@link CLUSTER_QUEUE_SHARDS} queue shards.
 */
export function redisEnv(prefix: string, seeds?: string): Record<string, string | undefined> {
  const nodes = seeds ?? inject('redisClusterNodes');
  if (!nodes) return { REDIS_URL: inject('redisUrl'), HERALD_REDIS_PREFIX: prefix };
  return {
    REDIS_URL: undefined,
    REDIS_CLUSTER_NODES: nodes,
    HERALD_REDIS_PREFIX: `{${prefix}}`,
    HERALD_QUEUE_SHARDS: String(CLUSTER_QUEUE_SHARDS),
  };
}

/**
 * A spec's own connection to the Redis a Herald uses (one server or its cluster), made by
 * Herald's own factory so that it routes keys as Herald does. The caller disconnects it.
 */
export function openRedis(config: HeraldConfig): RedisClient {
  const client = createRedisClient(config.redis, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  return client;
}

/**
 * Every key matching `pattern`. On a cluster, KEYS answers for the slots of the node it is
 * sent to, so it is asked of every master and the answers joined.
 */
export async function keysMatching(client: RedisClient, pattern: string): Promise<string[]> {
  if (!(client instanceof Cluster)) return client.keys(pattern);
  // A new cluster client knows its nodes only once it has read the slot map.
  if (client.status !== 'ready') await once(client, 'ready');
  const answers = await Promise.all(client.nodes('master').map((node) => node.keys(pattern)));
  return answers.flat();
}

/**
 * Every key `<shard prefix>:<pattern>` of every notification shard of the Herald configured by
 * `config` (its prefix itself with one shard).
 */
export async function keysOnEveryShard(
  client: RedisClient,
  config: HeraldConfig,
  pattern: string,
): Promise<string[]> {
  const prefixes = shardPrefixes(config.queue.prefix, config.queue.shards);
  const answers = await Promise.all(prefixes.map((p) => keysMatching(client, `${p}:${pattern}`)));
  return answers.flat();
}

/**
 * What a producer in another service passes to BullMQ as `connection` to reach a Herald's
 * Redis: host and port of one Redis, or a cluster client of its own (BullMQ makes only
 * single-server connections from options). The caller closes a cluster client after BullMQ.
 */
export function producerConnection(config: HeraldConfig): { host: string; port: number } | Cluster {
  const { cluster } = config.redis;
  if (cluster) return new Cluster(cluster.nodes.map((n) => ({ host: n.host, port: n.port })));
  const { hostname, port } = new URL(config.redis.url);
  return { host: hostname, port: Number(port) };
}

/** A Redis (one server or a cluster, as the run's) owned by one spec, for counting its commands. */
export interface PrivateRedis {
  /** The variables that point Herald at it (see {@link redisEnv}). */
  env(prefix: string): Record<string, string | undefined>;
  /** Calls per command since it started, summed over every master. */
  commandCounts(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/**
 * Starts a Redis of the spec's own, of the run's kind: a redis-server, or a three-master
 * cluster under `npm run test:cluster`.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  if (onCluster()) {
    const cluster = await startRedisCluster();
    return {
      env: (prefix) => redisEnv(prefix, cluster.seeds),
      commandCounts: () => sumCommandCounts(cluster.masters.map((m) => m.url)),
      stop: () => cluster.stop(),
    };
  }
  const server = await startRedisServer();
  return {
    env: (prefix) => ({ REDIS_URL: server.url, HERALD_REDIS_PREFIX: prefix }),
    commandCounts: () => sumCommandCounts([server.url]),
    stop: () => server.stop(),
  };
}

/** INFO commandstats of each server, calls per command summed. */
async function sumCommandCounts(urls: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const url of urls) {
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    try {
      for (const [, command, calls] of (await redis.info('commandstats')).matchAll(
        /^cmdstat_([^:]+):calls=(\d+)/gm,
      )) {
        counts[command!] = (counts[command!] ?? 0) + Number(calls);
      }
    } finally {
      redis.disconnect();
    }
  }
  return counts;
}
