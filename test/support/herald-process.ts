import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A Herald process started from source, as `npm start` does, with only the given environment. */
export interface HeraldProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process ends. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when a line matching `pattern` has been written, or rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
}

export function spawnHerald(
  env: Record<string, string | undefined>,
  options: { cwd?: string; npmStart?: boolean } = {},
): HeraldProcess {
  const processEnv = {
    PATH: process.env.PATH,
    TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
    ...env,
  };
  const child = options.npmStart
    ? spawn('npm', ['start', '--silent'], {
        cwd: ROOT,
        env: processEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(
        process.execPath,
        ['-r', require.resolve('ts-node/register/transpile-only'), join(ROOT, 'src', 'main.ts')],
        { cwd: options.cwd ?? ROOT, env: processEnv, stdio: ['ignore', 'pipe', 'pipe'] },
      );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    output: () => output,
    exited: () => exit,
    waitFor: async (pattern, ms = 30_000) => {
      const until = Date.now() + ms;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`process exited: ${output}`);
        if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}: ${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
