import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { type RedisServer, freePort, startRedisServer } from './redis-server';

// Free of Vitest on purpose, like redis-server.ts: scripts and benchmarks may start one too.

/** How long the nodes may take to agree on the slots once created. */
const CLUSTER_OK_MS = 15_000;
/** A node's cluster bus listens on its port + 10000. */
const BUS_PORT_OFFSET = 10_000;

/** A local Redis Cluster of the caller's own, every slot served. */
export interface RedisCluster {
  /** The masters, each serving a third of the slots. */
  readonly masters: readonly RedisServer[];
  /** The replicas (none unless asked for), one per master. */
  readonly replicas: readonly RedisServer[];
  /** `host:port` of every master, comma-separated: a value for REDIS_CLUSTER_NODES. */
  readonly seeds: string;
  /** Ends every node and removes the cluster's files. */
  stop(): Promise<void>;
}

/**
 * Starts a three-master Redis Cluster (and a replica per master if `replicas` is true) on free
 * ports, its node files in a fresh temporary folder, and resolves once every node reports
 * `cluster_state:ok`. Uses the machine's redis-server and redis-cli, like redis-server.ts.
 */
export async function startRedisCluster(
  options: { replicas?: boolean } = {},
): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-cluster-'));
  const count = options.replicas ? 6 : 3;
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      const port = await freeClusterPort();
      nodes.push(
        await startRedisServer({
          port,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout',
            '2000',
            // A master otherwise waits 5 s for more replicas before their first full sync, and a
            // replica that never synced does not take over.
            '--repl-diskless-sync-delay',
            '0',
            '--dir',
            dir,
          ],
        }),
      );
    }
    await promisify(execFile)('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      options.replicas ? '1' : '0',
      '--cluster-yes',
    ]);
    await untilClusterOk(nodes);
    const roles = await Promise.all(nodes.map(roleOf));
    const masters = nodes.filter((_, i) => roles[i] === 'master');
    const replicas = nodes.filter((_, i) => roles[i] !== 'master');
    await untilReplicasSynced(replicas);
    return {
      masters,
      replicas,
      seeds: masters.map((n) => `127.0.0.1:${n.port}`).join(','),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A free port whose cluster bus port (+10000) is free too. */
async function freeClusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + BUS_PORT_OFFSET <= 65_535 && (await canListen(port + BUS_PORT_OFFSET))) return port;
  }
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    if (server.listening) {
      server.close();
      await once(server, 'close');
    }
  }
}

/** Waits until every node says the cluster serves all its slots. */
async function untilClusterOk(nodes: readonly RedisServer[]): Promise<void> {
  const deadline = Date.now() + CLUSTER_OK_MS;
  for (;;) {
    const states = await Promise.all(nodes.map((n) => ask(n, (r) => r.cluster('INFO'))));
    if (states.every((s) => /^cluster_state:ok\b/m.test(String(s)))) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the Redis Cluster did not reach cluster_state:ok within ${CLUSTER_OK_MS} ms`,
      );
    }
    await sleep(50);
  }
}

/** Waits until every replica has its master's data and a live link to it: only then can it take over. */
async function untilReplicasSynced(replicas: readonly RedisServer[]): Promise<void> {
  const deadline = Date.now() + CLUSTER_OK_MS;
  for (;;) {
    const infos = await Promise.all(replicas.map((n) => ask(n, (r) => r.info('replication'))));
    if (
      infos.every(
        (i) => /^master_link_status:up\b/m.test(i) && /^master_sync_in_progress:0\b/m.test(i),
      )
    ) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`the cluster's replicas did not sync within ${CLUSTER_OK_MS} ms`);
    }
    await sleep(50);
  }
}

async function roleOf(node: RedisServer): Promise<string> {
  const role = (await ask(node, (r) => r.role())) as unknown[];
  return String(role[0]);
}

/** One command to one node on a connection of its own. */
async function ask<T>(node: RedisServer, command: (r: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(node.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    return await command(redis);
  } finally {
    redis.disconnect();
  }
}
