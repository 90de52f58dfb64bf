/** Latencies kept per window: the most recent ones (within its age). */
export const LATENCY_WINDOW_SIZE = 1_024;

/** Latency quantiles, in milliseconds. */
export interface LatencyQuantiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/**
 * The recent latencies of one provider's calls, for its snapshot's quantiles: the last
 * {@link LATENCY_WINDOW_SIZE} within `maxAgeMs`. Recording is two array writes; the quantiles
 * are computed (a sort of at most that many values) only when a snapshot asks, every few
 * seconds, where a streaming sketch (prom-client's Summary, a t-digest) pays on every call.
 */
export class LatencyWindow {
  private readonly latencies = new Float64Array(LATENCY_WINDOW_SIZE);
  private readonly endedAt = new Float64Array(LATENCY_WINDOW_SIZE);
  private recorded = 0;

  /** @param maxAgeMs how old a latency may be and still count (the breaker's rolling window). */
  constructor(private readonly maxAgeMs: number) {}

  /** Records one call's latency, in ms, ended at `now` (epoch ms). */
  observe(latencyMs: number, now = Date.now()): void {
    const slot = this.recorded % LATENCY_WINDOW_SIZE;
    this.latencies[slot] = latencyMs;
    this.endedAt[slot] = now;
    this.recorded += 1;
  }

  /** Nearest-rank quantiles of the latencies within the window, rounded; undefined if none. */
  quantiles(now = Date.now()): LatencyQuantiles | undefined {
    const since = now - this.maxAgeMs;
    const recent: number[] = [];
    const kept = Math.min(this.recorded, LATENCY_WINDOW_SIZE);
    for (let i = 0; i < kept; i += 1) {
      if (this.endedAt[i]! >= since) recent.push(this.latencies[i]!);
    }
    if (recent.length === 0) return undefined;
    recent.sort((a, b) => a - b);
    const at = (q: number) => Math.round(recent[Math.max(0, Math.ceil(q * recent.length) - 1)]!);
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
  }
}
