import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

// Free of Vitest on purpose: the run's global setup and scripts/ (under ts-node) use it too.

/** How long a fresh redis-server may take to answer PING. */
const STARTUP_MS = 10_000;

/** A port nothing listens on right now (the OS picks it; free again once this resolves). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A redis-server process of the caller's own, answering PING. */
export interface RedisServer {
  /** e.g. redis://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  /** The process, for signals a spec needs: SIGSTOP freezes it (connected but silent), SIGCONT thaws it. */
  readonly child: ChildProcess;
  /**
   * Ends the server (thawing it first if frozen) and resolves once it has exited; `SIGKILL`
   * makes it vanish as in a crash. Does nothing if it has already exited.
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the machine's redis-server on `port` (default: a free one), bound to 127.0.0.1, with
 * persistence off (unless `appendOnlyDir`) and no eviction, and resolves once it answers PING. Hand-written rather than
 * an npm wrapper: those download and build Redis at install time; this uses the OS package.
 */
export async function startRedisServer(
  options: {
    port?: number;
    /**
     * Turns AOF on with `appendfsync always`, its files in this directory, as production
     * should run: a server started again on the same directory comes back with every write.
     */
    appendOnlyDir?: string;
    /** More redis-server arguments, after Herald's defaults (a later one wins), e.g. `--replicaof`. */
    args?: readonly string[];
  } = {},
): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const url = `redis://127.0.0.1:${port}`;
  const persistence = options.appendOnlyDir
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', options.appendOnlyDir]
    : ['--appendonly', 'no'];
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      ...persistence,
      '--maxmemory-policy',
      'noeviction',
      ...(options.args ?? []),
    ],
    { stdio: 'ignore' },
  );
  let failure: Error | undefined;
  // Stays attached: an 'error' event without a listener would crash the process.
  child.on('error', (err) => {
    failure ??= new Error(
      `cannot start redis-server (is it installed and on PATH?): ${err.message}`,
    );
  });
  child.once('exit', (code, signal) => {
    failure ??= new Error(
      `redis-server on port ${port} exited early (${signal ?? `code ${code}`})`,
    );
  });

  const deadline = Date.now() + STARTUP_MS;
  // Another server may hold the port: only an answer from this process counts.
  for (;;) {
    const pid = await answeringPid(url);
    if (pid !== undefined && pid === child.pid) break;
    if (failure) throw failure;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `redis-server (pid ${child.pid}) did not answer PING on port ${port} within ${STARTUP_MS} ms`,
      );
    }
    await sleep(50);
  }

  return {
    url,
    port,
    child,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      // A frozen (SIGSTOP) process acts on SIGTERM only once continued.
      child.kill('SIGCONT');
      child.kill(signal);
      await exited;
    },
  };
}

/** The process id of the redis-server answering PING at `url`, if one does. */
async function answeringPid(url: string): Promise<number | undefined> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    const pid = /^process_id:(\d+)/m.exec(await probe.info('server'))?.[1];
    return pid === undefined ? undefined : Number(pid);
  } catch {
    return undefined;
  } finally {
    probe.disconnect();
  }
}
