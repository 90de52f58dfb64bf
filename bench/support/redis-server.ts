import { Redis } from 'ioredis';
import { startRedisServer as startPrivateRedis } from '../../test/support/redis-server';
import { track } from './processes';

/** A throwaway redis-server owned by one benchmark run. */
export interface RedisServer {
  readonly url: string;
  readonly pid: number;
  /** redis-server's version, for the results file. */
  readonly version: string;
  /** A connection for the benchmark's own reads (stats, job timings). */
  readonly client: Redis;
  /** Zeroes INFO commandstats, so the next reading covers one measured run. */
  resetStats(): Promise<void>;
  /** Calls per command since the last reset, most frequent first. */
  commandStats(): Promise<CommandStat[]>;
  /** Deletes every key under `prefix:` (the run's own keys). */
  deletePrefix(prefix: string): Promise<number>;
  stop(): Promise<void>;
}

export interface CommandStat {
  readonly command: string;
  readonly calls: number;
  /** Microseconds Redis spent in the command, in all. */
  readonly usec: number;
}

/**
 * Starts redis-server on a free port with persistence off (the test suite's own starter): a
 * benchmark never touches the machine's shared Redis, and nothing survives it.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const server = await startPrivateRedis();
  track(server.child);
  const client = new Redis(server.url, { maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  const info = await client.info('server');
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';

  return {
    url: server.url,
    pid: server.child.pid!,
    version,
    client,
    resetStats: async () => {
      await client.config('RESETSTAT');
    },
    commandStats: async () => parseCommandStats(await client.info('commandstats')),
    deletePrefix: async (prefix) => {
      let deleted = 0;
      const stream = client.scanStream({ match: `${prefix}:*`, count: 1000 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        if (keys.length > 0) deleted += await client.unlink(...keys);
      }
      return deleted;
    },
    stop: async () => {
      client.disconnect();
      await server.stop();
    },
  };
}

function parseCommandStats(info: string): CommandStat[] {
  const stats: CommandStat[] = [];
  for (const line of info.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line.trim());
    if (match) stats.push({ command: match[1]!, calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats.sort((a, b) => b.calls - a.calls);
}
