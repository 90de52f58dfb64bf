import { buildForBench } from './build';
import { stopAll } from './processes';

/** What every benchmark receives from the runner. */
export interface BenchContext {
  /** Herald's compiled entry point. */
  readonly heraldMain: string;
}

export type Benchmark = (context: BenchContext) => Promise<void>;

/**
 * Compiles once, runs `benchmarks` one after another and exits. Whatever happens — a failure,
 * Ctrl-C — every process a benchmark started is stopped (each benchmark stops its own
 * redis-server and deletes its keys in its own `finally`).
 *
 * BENCH_HERALD_SRC=<dir> runs the benchmarks against another copy of `src/` (a candidate
 * change), compiled the same way.
 */
export function runBenchmarks(
  benchmarks: readonly Benchmark[],
  /** Called once all have run; its answer is the exit code (bench/smoke.ts judges targets). */
  finish?: () => number,
): void {
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping every process the benchmark started`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  void (async () => {
    const started = Date.now();
    try {
      const { heraldMain } = buildForBench(process.env.BENCH_HERALD_SRC);
      for (const benchmark of benchmarks) await benchmark({ heraldMain });
      console.log(`\nfinished in ${Math.round((Date.now() - started) / 1000)} s`);
      if (finish) process.exitCode = finish();
    } catch (err) {
      console.error(err);
      process.exitCode = 1;
    } finally {
      await stopAll();
    }
    process.exit();
  })();
}
