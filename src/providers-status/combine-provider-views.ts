import {
  CHANNEL_KINDS,
  PROVIDER_KIND,
  PROVIDER_NAMES,
  type ProviderName,
} from '../config/config.schema';
import type { HeraldConfig } from '../config/herald-config';
import type {
  OutcomeCounts,
  ProviderStatus,
  WorkerProviderView,
  WorkerSnapshot,
} from './provider-status.schema';
import { emptyOutcomeCounts } from './rolling-outcome-counts';

type BreakerState = WorkerProviderView['state'];

/** Worst first: the combined state is the worst any reporting worker sees. */
const SEVERITY: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

function sumCounts(all: readonly OutcomeCounts[]): OutcomeCounts {
  const total = emptyOutcomeCounts();
  for (const c of all) {
    total.sent += c.sent;
    for (const k of Object.keys(total.failed) as (keyof OutcomeCounts['failed'])[]) {
      total.failed[k] += c.failed[k];
    }
    total.timedOut += c.timedOut;
    total.shortCircuited += c.shortCircuited;
    total.skippedCooldown += c.skippedCooldown;
    total.skippedRate += c.skippedRate;
  }
  return total;
}

/** Calls the provider did not deliver (every class but `rejected`, the message's own fault), in percent. */
export function errorPercent(counts: OutcomeCounts): number {
  const { rejected, ...providerFaults } = counts.failed;
  const failed = Object.values(providerFaults).reduce((a, b) => a + b, 0);
  const calls = counts.sent + rejected + failed;
  return calls === 0 ? 0 : Math.round((failed / calls) * 1000) / 10;
}

const latest = (a: string | null, b: string | null): string | null =>
  a === null ? b : b === null ? a : Date.parse(b) > Date.parse(a) ? b : a;

/**
 * Every provider Herald knows, in failover order within its kind, with each worker's view and
 * a combined one. How views combine is a choice, documented in the schema: the worst breaker
 * state, summed counts, the highest of each latency percentile (percentiles cannot be merged
 * without the samples; the highest is an honest upper bound), the newest last error and
 * success. The cool-down is shared in Redis, so it is read once, not per worker.
 */
export function combineProviderViews(
  config: HeraldConfig,
  snapshots: readonly WorkerSnapshot[],
  cooldowns: ReadonlyMap<ProviderName, number>,
  now = Date.now(),
): ProviderStatus[] {
  const statuses = PROVIDER_NAMES.map((provider): ProviderStatus => {
    const kind = PROVIDER_KIND[provider];
    const index = config.order[kind].indexOf(provider);
    const workers = snapshots.flatMap((s) =>
      s.providers
        .filter((v) => v.provider === provider)
        .map((v) => ({ ...v, workerId: s.workerId })),
    );
    const workersByState = { closed: 0, half_open: 0, open: 0 };
    for (const w of workers) workersByState[w.state] += 1;
    const state = workers.reduce<BreakerState | null>(
      (worst, w) => (worst === null || SEVERITY[w.state] > SEVERITY[worst] ? w.state : worst),
      null,
    );
    const latencies = workers.flatMap((w) => (w.latencyMs ? [w.latencyMs] : []));
    const lastError = workers.reduce<ProviderStatus['lastError']>(
      (newest, w) =>
        w.lastError && (!newest || Date.parse(w.lastError.at) > Date.parse(newest.at))
          ? w.lastError
          : newest,
      null,
    );
    const counts = sumCounts(workers.map((w) => w.counts));
    const cooling = cooldowns.get(provider);
    return {
      provider,
      kind,
      configured: config.providers[provider].configured,
      position: index === -1 ? null : index + 1,
      cooldownUntil:
        cooling !== undefined && cooling > now ? new Date(cooling).toISOString() : null,
      state,
      workersByState,
      counts,
      errorPercent: errorPercent(counts),
      latencyMs:
        latencies.length === 0
          ? null
          : {
              p50: Math.max(...latencies.map((l) => l.p50)),
              p95: Math.max(...latencies.map((l) => l.p95)),
              p99: Math.max(...latencies.map((l) => l.p99)),
            },
      lastError,
      lastSuccessAt: workers.reduce<string | null>((a, w) => latest(a, w.lastSuccessAt), null),
      workers,
    };
  });
  const rank = (s: ProviderStatus) => [
    CHANNEL_KINDS.indexOf(s.kind),
    s.position ?? Number.MAX_SAFE_INTEGER,
    PROVIDER_NAMES.indexOf(s.provider),
  ];
  return statuses.sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0]! - rb[0]! || ra[1]! - rb[1]! || ra[2]! - rb[2]!;
  });
}
