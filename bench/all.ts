/** `npm run bench`: the three benchmarks, one after another (each on its own redis-server). */
import { acceptBenchmark } from './accept';
import { deliveryBenchmark } from './delivery';
import { failoverBenchmark } from './failover';
import { runBenchmarks } from './support/runner';

runBenchmarks([acceptBenchmark, deliveryBenchmark, failoverBenchmark]);
