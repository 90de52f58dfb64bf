import { Redis } from 'ioredis';
import {
  type RedisCluster,
  startRedisCluster as startPrivateCluster,
} from '../../test/support/redis-cluster';
import type { RedisServer as RedisNode } from '../../test/support/redis-server';
import { track } from './processes';

/**
 * Queue shards Herald runs with on a benchmark's cluster: HERALD_QUEUE_SHARDS, which a Herald
 * without sharded queues ignores. BENCH_QUEUE_SHARDS overrides it.
 */
export const CLUSTER_QUEUE_SHARDS = process.env.BENCH_QUEUE_SHARDS ?? '6';

/**
 * The key prefix Herald gets on a benchmark's cluster: the one README's Scaling out shows,
 * `{herald}`, whose shard tags `{herald-0}` … fall evenly on the masters of a cluster whose
 * slots are split in equal ranges (as `redis-cli --cluster create` and the test cluster do): 3
 * shards one per master, 6 two per master. A random run prefix would place its shards at
 * random, and measure the luck of the draw instead of the spread. The cluster is the run's
 * own, so nothing else uses the prefix there.
 */
export const CLUSTER_PREFIX = '{herald}';

/** A throwaway Redis Cluster owned by one benchmark run (see test/support/redis-cluster.ts). */
export interface BenchCluster extends RedisCluster {
  /** redis-server's version, for the results file. */
  readonly version: string;
  /** A plain connection to one node, for reading its INFO; the caller disconnects it. */
  connect(node: RedisNode): Redis;
}

/**
 * Starts a three-master cluster (with a replica per master when asked) on free ports; every
 * node is killed if the benchmark exits early.
 */
export async function startBenchCluster(
  options: { replicas?: boolean } = {},
): Promise<BenchCluster> {
  const cluster = await startPrivateCluster(options);
  for (const node of [...cluster.masters, ...cluster.replicas]) track(node.child);
  const probe = connectTo(cluster.masters[0]!);
  try {
    const version = /redis_version:(\S+)/.exec(await probe.info('server'))?.[1] ?? 'unknown';
    return { ...cluster, version, connect: connectTo };
  } finally {
    probe.disconnect();
  }
}

function connectTo(node: RedisNode): Redis {
  const redis = new Redis(node.url, { maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  return redis;
}

/** CPU time a redis-server has used (INFO cpu: used_cpu_sys + used_cpu_user), in ms (µs precision). */
export async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
  return Math.round((seconds('used_cpu_sys') + seconds('used_cpu_user')) * 1_000_000) / 1000;
}

/** Calls of every command a redis-server has run since its last CONFIG RESETSTAT. */
export async function redisCalls(redis: Redis): Promise<number> {
  let calls = 0;
  for (const [, n] of (await redis.info('commandstats')).matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) {
    calls += Number(n);
  }
  return calls;
}
