import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { freePort, track } from './processes';

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
 * Starts redis-server on a free port with persistence off, as the test setup does: a benchmark
 * never touches the machine's shared Redis, and nothing survives it.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  track(child);
  const spawnError = once(child, 'error').then(([err]) => {
    throw new Error(`cannot start redis-server (is it installed?): ${(err as Error).message}`);
  });
  const url = `redis://127.0.0.1:${port}`;
  const client = await Promise.race([connectWhenUp(url), spawnError]);
  const info = await client.info('server');
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';

  return {
    url,
    pid: child.pid!,
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
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function connectWhenUp(url: string): Promise<Redis> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return client;
    } catch {
      client.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server did not answer at ${url}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function parseCommandStats(info: string): CommandStat[] {
  const stats: CommandStat[] = [];
  for (const line of info.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line.trim());
    if (match) stats.push({ command: match[1]!, calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats.sort((a, b) => b.calls - a.calls);
}
