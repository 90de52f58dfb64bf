import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { HeraldConfig } from '../config/herald-config';
import { redisOptionsFromUrl } from './redis-options';

/** A connection to Herald's Redis: one server, or a cluster client that routes by slot. */
export type RedisClient = Redis | Cluster;

/**
 * The one place Herald's Redis connections are made: a plain client for one Redis (the
 * default), a cluster client when the configuration names a cluster. `options` are what the
 * caller needs of this connection (timeouts, offline queue, name); on a cluster they are split
 * between the cluster client and each node's connection, as ioredis expects.
 */
export function createRedisClient(
  redis: HeraldConfig['redis'],
  options: RedisOptions = {},
): RedisClient {
  const { cluster } = redis;
  if (!cluster) return new Redis({ ...redisOptionsFromUrl(redis.url), ...options });
  const {
    retryStrategy,
    enableOfflineQueue,
    enableAutoPipelining,
    lazyConnect,
    // Per-node addresses come from the cluster's own slot map, never from here.
    host: _host,
    port: _port,
    path: _path,
    sentinels: _sentinels,
    readOnly: _readOnly,
    ...perNode
  } = options;
  return new Cluster(
    cluster.nodes.map((n) => ({ host: n.host, port: n.port })),
    {
      clusterRetryStrategy: retryStrategy,
      enableOfflineQueue,
      enableAutoPipelining,
      lazyConnect,
      natMap: cluster.natMap,
      // Managed clusters (ElastiCache, MemoryDB) announce names whose TLS certificates match
      // only those names: connect by name rather than by the resolved address.
      ...(cluster.tls
        ? {
            dnsLookup: (address: string, done: (e: null, a: string) => void) => done(null, address),
          }
        : {}),
      redisOptions: {
        ...perNode,
        ...(cluster.username ? { username: cluster.username } : {}),
        ...(cluster.password ? { password: cluster.password } : {}),
        ...(cluster.tls ? { tls: {} } : {}),
      },
    },
  );
}
