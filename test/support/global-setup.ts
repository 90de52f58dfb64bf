import type { TestProject } from 'vitest/node';
import { startRedisServer } from './redis-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the throwaway redis-server every spec of this run shares (isolated by key prefix). */
    redisUrl: string;
    /**
     * Seeds (`host:port,…`) of the throwaway Redis Cluster every spec of this run shares
     * (`npm run test:cluster`); empty when the run uses one redis-server.
     */
    redisClusterNodes: string;
  }
}

/** Starts a private redis-server on a free port for the whole run; never touches the machine's. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedisServer();
  project.provide('redisUrl', redis.url);
  project.provide('redisClusterNodes', '');
  return () => redis.stop();
}
