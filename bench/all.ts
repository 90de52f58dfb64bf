/** `npm run bench`: the benchmarks, one after another (each on its own redis-server, if any). */
import { acceptBenchmark } from './accept';
import { deliveryBenchmark } from './delivery';
import { failoverBenchmark } from './failover';
import { memoryBenchmark } from './memory';
import { providerEventsBenchmark } from './provider-events';
import { type Benchmark, runBenchmarks } from './support/runner';
import { templatesBenchmark } from './templates';

/** Every benchmark, in the order `npm run bench` (and `npm run bench:smoke`) runs them. */
export const BENCHMARKS: readonly Benchmark[] = [
  acceptBenchmark,
  deliveryBenchmark,
  failoverBenchmark,
  templatesBenchmark,
  providerEventsBenchmark,
  memoryBenchmark,
];

if (require.main === module) runBenchmarks(BENCHMARKS);
