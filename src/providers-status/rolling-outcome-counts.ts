import type { Counter } from 'prom-client';
import { PROVIDER_NAMES, type ProviderName } from '../config/config.schema';
import type { SendOutcome } from '../metrics/metrics.service';
import type { OutcomeCounts } from './provider-status.schema';

type Totals = ReadonlyMap<ProviderName, Readonly<Partial<Record<SendOutcome, number>>>>;

interface Sample {
  readonly at: number;
  readonly totals: Totals;
}

const isProvider = (value: unknown): value is ProviderName =>
  PROVIDER_NAMES.includes(value as ProviderName);

/** Zero counts, the shape of the operator view. */
export function emptyOutcomeCounts(): OutcomeCounts {
  return {
    sent: 0,
    failed: { rejected: 0, throttled: 0, unavailable: 0, timeout: 0, misconfigured: 0 },
    timedOut: 0,
    shortCircuited: 0,
    skippedCooldown: 0,
    skippedRate: 0,
  };
}

/**
 * Per-provider outcome counts over the rolling window, read off the cumulative
 * `herald_provider_sends_total` counter rather than kept twice: the delivery engine counts
 * every call and skip there once, by outcome. Each {@link sample} remembers the totals; the
 * window's counts are today's totals minus those at the window's start, so they are as
 * precise as the sampling period (the publish interval). The breaker's own window cannot
 * serve: opossum counts failures but not their class, and restarts clean when it closes.
 */
export class RollingOutcomeCounts {
  private readonly samples: Sample[];

  constructor(
    private readonly sends: Counter<'provider' | 'kind' | 'outcome'>,
    private readonly windowMs: number,
  ) {
    // Counting starts with the process: before a full window has passed, the window is its life.
    this.samples = [{ at: Date.now(), totals: new Map() }];
  }

  /** Remembers the totals now, and forgets samples no window will start at again. */
  async sample(): Promise<void> {
    const now = Date.now();
    this.samples.push({ at: now, totals: await this.totals() });
    const start = now - this.windowMs;
    // Keep the newest sample at or before the window's start: it is the next baseline.
    while (this.samples.length > 1 && this.samples[1]!.at <= start) this.samples.shift();
  }

  /** Counts over about the last window, per provider that has any. */
  async counts(): Promise<Map<ProviderName, OutcomeCounts>> {
    const now = await this.totals();
    const baseline = this.baseline(Date.now() - this.windowMs).totals;
    const result = new Map<ProviderName, OutcomeCounts>();
    for (const [provider, outcomes] of now) {
      const before = baseline.get(provider) ?? {};
      const d = (o: SendOutcome) => Math.max(0, (outcomes[o] ?? 0) - (before[o] ?? 0));
      result.set(provider, {
        sent: d('sent'),
        failed: {
          rejected: d('rejected'),
          throttled: d('throttled'),
          unavailable: d('unavailable'),
          timeout: d('timeout'),
          misconfigured: d('misconfigured'),
        },
        timedOut: d('timeout'),
        shortCircuited: d('skipped_open'),
        skippedCooldown: d('skipped_cooldown'),
        skippedRate: d('skipped_rate'),
      });
    }
    return result;
  }

  private baseline(start: number): Sample {
    let baseline = this.samples[0]!;
    for (const sample of this.samples) {
      if (sample.at > start) break;
      baseline = sample;
    }
    return baseline;
  }

  private async totals(): Promise<Totals> {
    const totals = new Map<ProviderName, Partial<Record<SendOutcome, number>>>();
    for (const { labels, value } of (await this.sends.get()).values) {
      const { provider, outcome } = labels as { provider?: unknown; outcome?: SendOutcome };
      if (!isProvider(provider) || outcome === undefined) continue;
      const byOutcome = totals.get(provider) ?? {};
      byOutcome[outcome] = (byOutcome[outcome] ?? 0) + value;
      totals.set(provider, byOutcome);
    }
    return totals;
  }
}
