import type { TestProject } from 'vitest/node';
import { startRedisCluster } from './redis-cluster';

/**
 * Starts a private three-master Redis Cluster on free ports for the whole run
 * (`npm run test:cluster`); specs reach it through `testEnv` and `test-redis.ts`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startRedisCluster();
  // Nothing listens on port 1: a spec that still reads `redisUrl` fails (and with testEnv's
  // REDIS_CLUSTER_NODES, Herald refuses both at once) rather than pass against another Redis.
  project.provide('redisUrl', 'redis://127.0.0.1:1');
  project.provide('redisClusterNodes', cluster.seeds);
  return () => cluster.stop();
}
