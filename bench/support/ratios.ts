/**
 * The machine-readable verdict of a benchmark: its last line of output is one JSON object,
 * `{"benchmark": name, "quick": bool, "ratios": [...]}`, so a harness (a CI smoke run) can
 * parse the ratios without scraping tables. Each ratio is measured against a floor (or a
 * healthy run) of the same invocation.
 */
export interface BenchRatio {
  /** Stable identifier, e.g. `hangP99OverHealthyP99`. */
  readonly name: string;
  readonly measured: number;
  readonly target: number;
  /** Whether a higher or a lower measured value is better. */
  readonly better: 'higher' | 'lower';
}

/** Whether `ratio` meets its target. */
export function meets(ratio: BenchRatio): boolean {
  return ratio.better === 'higher'
    ? ratio.measured >= ratio.target
    : ratio.measured <= ratio.target;
}

/** Prints the benchmark's JSON verdict line (see the module comment). */
export function printRatios(
  benchmark: string,
  quick: boolean,
  ratios: readonly BenchRatio[],
): void {
  console.log(
    JSON.stringify({
      benchmark,
      quick,
      ratios: ratios.map((r) => ({ ...r, met: meets(r) })),
    }),
  );
}

/**
 * Short mode, for a smoke run: `--quick` on the command line or `BENCH_QUICK=1`. Each benchmark
 * says what it shortens.
 */
export function quickMode(): boolean {
  return process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
}
