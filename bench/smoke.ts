/**
 * `npm run bench:smoke`: every benchmark of `npm run bench` (bench/all.ts), each shortened to a
 * few seconds, in well under a minute. It fails only when a target's ratio falls below half of
 * what the target asks (for an "at most" target: above twice it), so only a large regression
 * fails it: the short runs on a shared CI machine are far too noisy for the targets themselves.
 * It judges every target a benchmark reports (its `BENCH-TARGET` lines, see
 * support/report.ts), so a benchmark's new target is guarded without a change here.
 *
 * Each BENCH_* variable below can be overridden from the environment.
 */
import { printTable } from './support/report';

const SMOKE_ENVIRONMENT: Record<string, string> = {
  BENCH_ACCEPT_SECONDS: '2',
  BENCH_ACCEPT_WARMUP_SECONDS: '1',
  BENCH_DELIVERY_MESSAGES: '1000',
  BENCH_FAILOVER_MESSAGES: '100',
  // Past the 1,024 latencies the hang detector keeps, as the full run's warm-up is: with fewer,
  // the worker's cold start sets the hang bound (600 ms and more) and the hang p99 with it.
  BENCH_FAILOVER_WARMUP: '1300',
  BENCH_TEMPLATES_ROUNDS: '2',
  BENCH_TEMPLATES_BATCH: '200',
  BENCH_MEMORY_NOTIFICATIONS: '500',
  BENCH_EVENTS_SECONDS: '1',
  BENCH_EVENTS_WARMUP_SECONDS: '1',
  BENCH_EVENTS_NOTIFICATIONS: '200',
};
for (const [name, value] of Object.entries(SMOKE_ENVIRONMENT)) process.env[name] ??= value;

// Loaded after the environment is set: the benchmarks read it when their modules load.
/* eslint-disable @typescript-eslint/no-require-imports */
const { BENCHMARKS } = require('./all') as typeof import('./all');
const { recordedTargets } = require('./support/report') as typeof import('./support/report');
const { runBenchmarks } = require('./support/runner') as typeof import('./support/runner');
/* eslint-enable @typescript-eslint/no-require-imports */

/** Half the target: the line below which (or, for an "at most" target, above which) smoke fails. */
function guardOf(
  comparator: string,
  target: number,
): { fails: (m: number) => boolean; text: string } {
  return comparator === '≥' || comparator === '>'
    ? { fails: (m) => m < target / 2, text: `≥ ${target / 2}` }
    : { fails: (m) => m > target * 2, text: `≤ ${target * 2}` };
}

runBenchmarks(BENCHMARKS, () => {
  const targets = recordedTargets();
  const rows = targets.map((t) => {
    const guard = guardOf(t.comparator, t.target);
    return { t, guard, failed: guard.fails(t.measured) };
  });
  printTable(
    'bench:smoke — each target against half of it',
    ['benchmark', 'target', 'measured', 'target met', 'smoke guard', 'smoke'],
    rows.map(({ t, guard, failed }) => [
      `${t.bench} ${t.name}`,
      `${t.comparator} ${t.target}`,
      t.measured,
      t.met ? 'yes' : 'no',
      guard.text,
      failed ? 'FAILED' : 'ok',
    ]),
  );
  // A target without a figure (NaN) is a benchmark whose run measured nothing: said, not judged.
  for (const { t } of rows.filter((r) => !Number.isFinite(r.t.measured))) {
    console.warn(`bench:smoke: ${t.bench} ${t.name} reported no figure`);
  }
  const failures = rows.filter((r) => r.failed).length;
  if (targets.length === 0) {
    console.error('bench:smoke: no benchmark reported a target');
    return 1;
  }
  console.log(
    failures === 0
      ? `bench:smoke: ${targets.length} targets, none below half`
      : `bench:smoke: ${failures} of ${targets.length} targets below half: FAILED`,
  );
  return failures === 0 ? 0 : 1;
});
