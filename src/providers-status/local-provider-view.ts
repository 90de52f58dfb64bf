import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { ProviderBreakers } from '../delivery/provider-breakers';
import { MetricsService } from '../metrics/metrics.service';
import type { WorkerProviderView, WorkerSnapshot } from './provider-status.schema';
import { emptyOutcomeCounts, RollingOutcomeCounts } from './rolling-outcome-counts';

/** Longest error detail carried into the operator view. */
const MAX_DETAIL_CHARS = 500;

/**
 * This worker process's view of its providers: its breakers (per process) and its
 * call counts over the rolling window. Read by the publisher, and directly by `/v1/providers`
 * when the process also serves the API (role `all`).
 */
@Injectable()
export class LocalProviderView {
  /**
   * Host and pid say where to look; the random part tells apart two applications in one
   * process and a pid reused after a restart.
   */
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly counts: RollingOutcomeCounts;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly breakers: ProviderBreakers,
    metrics: MetricsService,
  ) {
    this.counts = new RollingOutcomeCounts(metrics.providerSends, config.breaker.rollingWindowMs);
  }

  /** Advances the rolling counts; called once per publication. */
  sample(): Promise<void> {
    return this.counts.sample();
  }

  async snapshot(): Promise<WorkerSnapshot> {
    const [breakers, counts] = await Promise.all([this.breakers.snapshot(), this.counts.counts()]);
    const providers = breakers.map((b): WorkerProviderView => ({
      provider: b.provider,
      state: b.state,
      openedAt: b.openedAt ?? null,
      breakerWindow: b.window,
      counts: counts.get(b.provider) ?? emptyOutcomeCounts(),
      latencyMs: b.latencyMs ?? null,
      lastError: b.lastError
        ? { ...b.lastError, detail: b.lastError.detail.slice(0, MAX_DETAIL_CHARS) }
        : null,
      lastSuccessAt: b.lastSuccessAt ?? null,
    }));
    return {
      workerId: this.workerId,
      role: this.config.role === 'all' ? 'all' : 'worker',
      publishedAt: new Date().toISOString(),
      windowMs: this.config.breaker.rollingWindowMs,
      providers,
    };
  }
}
