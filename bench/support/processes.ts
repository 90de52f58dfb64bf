import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

export { freePort } from '../../test/support/redis-server';

/** A Node.js process started by a benchmark: Herald, a floor or the peer. */
export interface NodeProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last 64 KiB it wrote (stdout and stderr), for error messages. */
  output(): string;
  /** Resolves once a line matching `pattern` was written; rejects if the process exits first. */
  waitForOutput(pattern: RegExp, ms?: number): Promise<void>;
  /** Resolves once `url` answers 2xx; rejects if the process exits first. */
  waitForHttp(url: string, ms?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Every process started and not yet stopped, so a failing or interrupted run leaves none. */
const running = new Set<NodeProcess>();
/** Every child process (redis-server included): killed outright if the benchmark exits early. */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Registers a child to be killed if the benchmark process exits before stopping it. */
export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/**
 * Runs `node [nodeArgs] script` with exactly `env` (plus PATH), its output captured. Children
 * are killed if the benchmark process exits, whichever way it exits (see {@link stopAll}).
 */
export function startNode(
  name: string,
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): NodeProcess {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let output = '';
  const append = (d: Buffer) => {
    output = (output + d.toString()).slice(-65_536);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = once(child, 'exit');

  const ensureAlive = () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    }
  };
  const proc: NodeProcess = {
    name,
    pid: child.pid!,
    child,
    output: () => output,
    waitForOutput: async (pattern, ms = 30_000) => {
      const until = Date.now() + ms;
      while (!pattern.test(output)) {
        ensureAlive();
        if (Date.now() > until)
          throw new Error(`${name}: no ${pattern} within ${ms} ms:\n${output}`);
        await sleep(50);
      }
    },
    waitForHttp: async (url, ms = 30_000) => {
      const until = Date.now() + ms;
      for (;;) {
        ensureAlive();
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
          if (response.ok) return;
        } catch {
          // Not listening yet.
        }
        if (Date.now() > until)
          throw new Error(`${name}: ${url} not up within ${ms} ms:\n${output}`);
        await sleep(100);
      }
    },
    stop: async (graceMs = 15_000) => {
      running.delete(proc);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(proc);
  return proc;
}

/** Kills every process still running (an interrupted or failed benchmark). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(2_000)));
}

/** CPU time a process has used so far (user + system), in milliseconds; Linux only. */
export function cpuMs(pid: number): number {
  return ticksToMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/**
 * CPU time of a process's main thread alone (where Node runs JavaScript; GC and I/O helper
 * threads excluded), in milliseconds; Linux only. Near the wall time, the event loop is saturated.
 */
export function mainThreadCpuMs(pid: number): number {
  return ticksToMs(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
}

function ticksToMs(stat: string): number {
  // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Peak resident set size of a live process (VmHWM), in MiB; Linux only. */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return Math.round(kib / 1024);
}

/** USER_HZ: 100 on every mainstream Linux build (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_SECOND = 100;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
