/** `npm run bench`: the benchmarks, one after another (each on its own redis-server, if any). */
import { acceptBenchmark } from './accept';
import { deliveryBenchmark } from './delivery';
import { failoverBenchmark } from './failover';
import { providerEventsBenchmark } from './provider-events';
import { runBenchmarks } from './support/runner';
import { templatesBenchmark } from './templates';

runBenchmarks([
  acceptBenchmark,
  deliveryBenchmark,
  failoverBenchmark,
  templatesBenchmark,
  providerEventsBenchmark,
]);
