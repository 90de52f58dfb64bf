import { EventEmitter } from 'node:events';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import { ChannelError, type ChannelErrorClass } from '../channels/channel-error';
import { PROVIDER_NAMES, type ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { BREAKER_STATE_VALUE, MetricsService } from '../metrics/metrics.service';
import { LatencyWindow } from './latency-window';

/** A breaker's state as the operator sees it (`GET /v1/providers`, `herald_breaker_state`). */
export type BreakerState = keyof typeof BREAKER_STATE_VALUE;

/** Buckets the rolling window is cut into: the window slides in tenths. */
const ROLLING_BUCKETS = 10;

/** One provider's breaker, for the operator endpoint. */
export interface ProviderBreakerSnapshot {
  readonly provider: ProviderName;
  readonly state: BreakerState;
  /** ISO 8601: when the breaker last opened, while it is not closed. */
  readonly openedAt?: string;
  /**
   * Counts over the rolling window (`HERALD_BREAKER_ROLLING_WINDOW_MS`), from opossum. `calls`
   * are provider calls made; `failures` those that count against the breaker (unavailable,
   * timeout, misconfigured); `rejectedByBreaker` calls the breaker itself refused.
   */
  readonly window: {
    readonly calls: number;
    readonly failures: number;
    readonly errorPercent: number;
    readonly rejectedByBreaker: number;
  };
  /** Call latency over about the rolling window, in milliseconds; absent before any call. */
  readonly latencyMs?: { readonly p50: number; readonly p95: number; readonly p99: number };
  /** The provider's last failure (a refused recipient is not the provider's failure). */
  readonly lastError?: {
    readonly errorClass: ChannelErrorClass;
    readonly detail: string;
    /** ISO 8601. */
    readonly at: string;
  };
  /** ISO 8601: the provider last accepted a message. */
  readonly lastSuccessAt?: string;
}

interface ProviderBreaker {
  readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  /** Drives this breaker's window; see `rotateAll`. */
  readonly rotation: EventEmitter;
  openedAt?: number;
  /** Counted failures since the last success; see `HERALD_BREAKER_CONSECUTIVE_FAILURES`. */
  failuresInARow: number;
  /** Why the breaker is being opened from outside its window (a hang), for the open log line. */
  openingFor?: string;
  lastError?: ProviderBreakerSnapshot['lastError'];
  lastSuccessAt?: number;
  /** Latency of its calls over the rolling window, for the snapshot. */
  readonly latency: LatencyWindow;
}

/**
 * `rejected` is the message's fault and `throttled` is the provider protecting itself while
 * healthy: neither says the provider is down, so neither may open its breaker.
 * Nor may an error that is not a classified provider failure at all: the channel's own code
 * broke on one message (a poison message), which says nothing about the provider.
 */
function doesNotCount(err: unknown): boolean {
  if (!(err instanceof ChannelError)) return true;
  return err.errorClass === 'rejected' || err.errorClass === 'throttled';
}

/** True when opossum refused the call because the breaker is open (or its half-open trial is out). */
export function isBreakerOpenError(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'EOPENBREAKER';
}

/**
 * One opossum circuit breaker per configured provider, per process (breaker state
 * is not shared). Options come from `HERALD_BREAKER_*`. Opossum's `timeout` is off: the
 * deadline is enforced per call with an AbortSignal (see `callWithDeadline`), which aborts the
 * request itself, and its `timeout` error counts here as a failure like any other.
 */
@Injectable()
export class ProviderBreakers implements OnApplicationShutdown {
  private readonly logger = new Logger(ProviderBreakers.name);
  private readonly breakers = new Map<ProviderName, ProviderBreaker>();
  /**
   * One timer slides every breaker's window instead of one (plus a snapshot timer) per
   * breaker; and a breaker's own rotation lets `close` start it with a clean window.
   */
  private readonly rotationTimer: NodeJS.Timeout;
  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly metrics: MetricsService,
  ) {
    const { breaker: options } = config;
    for (const provider of PROVIDER_NAMES) {
      if (config.providers[provider].configured) this.breakers.set(provider, this.build(provider));
    }
    this.rotationTimer = setInterval(
      () => this.rotateAll(),
      Math.max(1, Math.floor(options.rollingWindowMs / ROLLING_BUCKETS)),
    );
    this.rotationTimer.unref();
  }

  /** Providers that have a breaker: the configured ones. */
  get providers(): ProviderName[] {
    return [...this.breakers.keys()];
  }

  /**
   * Whether a call may go out now: not while the breaker is open, nor while its half-open
   * trial is already out. Costs nothing, so skipping an open provider adds no wait.
   */
  admits(provider: ProviderName): boolean {
    const { breaker } = this.entry(provider);
    return breaker.closed || (breaker.halfOpen && breaker.pendingClose);
  }

  state(provider: ProviderName): BreakerState {
    const { breaker } = this.entry(provider);
    if (breaker.opened) return 'open';
    return breaker.halfOpen ? 'half_open' : 'closed';
  }

  /**
   * Calls `action` through the provider's breaker and keeps the snapshot's figures.
   * Rejects with opossum's `EOPENBREAKER` error ({@link isBreakerOpenError}) when the breaker
   * refuses the call; otherwise with whatever `action` rejected with.
   */
  async fire<T>(provider: ProviderName, action: () => Promise<T>): Promise<T> {
    const entry = this.entry(provider);
    const started = performance.now();
    try {
      const result = (await entry.breaker.fire(action)) as T;
      entry.lastSuccessAt = Date.now();
      entry.failuresInARow = 0;
      entry.latency.observe(performance.now() - started);
      return result;
    } catch (err) {
      if (isBreakerOpenError(err)) throw err;
      entry.latency.observe(performance.now() - started);
      if (!doesNotCount(err)) this.countFailureInARow(provider, entry);
      // Neither a refused message nor a poison one is the provider's error.
      if (err instanceof ChannelError && err.errorClass !== 'rejected') {
        entry.lastError = {
          errorClass: err.errorClass,
          detail: err.detail,
          at: new Date().toISOString(),
        };
      }
      throw err;
    }
  }

  /**
   * Opossum judges by the error percentage over its window, so after a long healthy spell a
   * dead provider needs as many failures as the window holds successes before it opens, each
   * costing a message its deadline. A run of failures in a row opens it at once.
   */
  private countFailureInARow(provider: ProviderName, entry: ProviderBreaker): void {
    entry.failuresInARow += 1;
    if (entry.failuresInARow >= this.config.breaker.consecutiveFailures && entry.breaker.closed) {
      this.logger.warn(
        { provider, failuresInARow: entry.failuresInARow },
        `${provider} failed ${entry.failuresInARow} times in a row`,
      );
      entry.breaker.open();
    }
  }

  /**
   * Opens the provider's breaker now, for a failure its window cannot see yet: a hang, found
   * from the age of the calls in flight before any of them failed (see ProviderHangDetector).
   * `error` becomes the provider's last error. Nothing changes when it is open already.
   */
  openForHang(provider: ProviderName, error: ChannelError): void {
    const entry = this.entry(provider);
    entry.lastError = {
      errorClass: error.errorClass,
      detail: error.detail,
      at: new Date().toISOString(),
    };
    if (entry.breaker.opened) return;
    entry.openingFor = error.detail;
    entry.breaker.open();
  }

  /** Every configured provider's breaker, for `GET /v1/providers` and `/status`. */
  async snapshot(): Promise<ProviderBreakerSnapshot[]> {
    const now = Date.now();
    return [...this.breakers].map(([provider, entry]) => {
      const stats = entry.breaker.stats;
      const state = this.state(provider);
      const q = entry.latency.quantiles(now);
      return {
        provider,
        state,
        ...(state !== 'closed' && entry.openedAt !== undefined
          ? { openedAt: new Date(entry.openedAt).toISOString() }
          : {}),
        window: {
          calls: stats.fires - stats.rejects,
          failures: stats.failures,
          errorPercent:
            stats.fires - stats.rejects > 0
              ? Math.round((stats.failures / (stats.fires - stats.rejects)) * 1000) / 10
              : 0,
          rejectedByBreaker: stats.rejects,
        },
        ...(q ? { latencyMs: q } : {}),
        ...(entry.lastError ? { lastError: entry.lastError } : {}),
        ...(entry.lastSuccessAt !== undefined
          ? { lastSuccessAt: new Date(entry.lastSuccessAt).toISOString() }
          : {}),
      };
    });
  }

  /**
   * At application shutdown rather than module destroy: the worker finishes its active jobs
   * in its own `onModuleDestroy`, and those still call through the breakers.
   */
  onApplicationShutdown(): void {
    clearInterval(this.rotationTimer);
    for (const { breaker } of this.breakers.values()) breaker.shutdown();
  }

  private entry(provider: ProviderName): ProviderBreaker {
    const entry = this.breakers.get(provider);
    if (!entry) throw new Error(`no breaker for provider ${provider}: it is not configured`);
    return entry;
  }

  private build(provider: ProviderName): ProviderBreaker {
    const options = this.config.breaker;
    const rotation = new EventEmitter();
    const breaker = new CircuitBreaker<[() => Promise<unknown>], unknown>(
      (action: () => Promise<unknown>) => action(),
      {
        name: provider,
        timeout: false,
        errorThresholdPercentage: options.errorThresholdPercent,
        volumeThreshold: options.volumeThreshold,
        resetTimeout: options.resetTimeoutMs,
        rollingCountTimeout: options.rollingWindowMs,
        rollingCountBuckets: ROLLING_BUCKETS,
        rollingPercentilesEnabled: false,
        enableSnapshots: false,
        rotateBucketController: rotation,
        errorFilter: doesNotCount,
      },
    );
    // Opossum's own percentiles are off: it re-sorts every latency in the window on each
    // failure, which melts a CPU in an outage.
    const entry: ProviderBreaker = {
      breaker,
      rotation,
      failuresInARow: 0,
      latency: new LatencyWindow(options.rollingWindowMs),
    };
    this.metrics.breakerState.set({ provider }, BREAKER_STATE_VALUE.closed);

    breaker.on('open', () => {
      entry.openedAt = Date.now();
      const reason = entry.openingFor;
      entry.openingFor = undefined;
      if (reason !== undefined) {
        this.logger.warn(
          { provider, breaker: 'open', reason },
          `breaker for ${provider} opened: ${reason}; skipping it for ${options.resetTimeoutMs} ms`,
        );
        this.transition(provider, 'open');
        return;
      }
      const { failures, fires, rejects } = breaker.stats;
      const last = entry.lastError;
      this.logger.warn(
        {
          provider,
          breaker: 'open',
          failures,
          calls: fires - rejects,
          lastError: last ? `${last.errorClass}: ${last.detail}` : undefined,
        },
        `breaker for ${provider} opened: ${failures} of ${fires - rejects} calls failed in the rolling window; ` +
          `skipping it for ${options.resetTimeoutMs} ms`,
      );
      this.transition(provider, 'open');
    });
    breaker.on('halfOpen', () => {
      this.logger.log(
        { provider, breaker: 'half_open' },
        `breaker for ${provider} half-open: the next message is its trial`,
      );
      this.transition(provider, 'half_open');
    });
    breaker.on('close', () => {
      entry.openedAt = undefined;
      // A clean window after recovery: the failures that opened the breaker would otherwise
      // re-open it on the first new failure (opossum keeps its stats across a close).
      for (let i = 0; i < ROLLING_BUCKETS; i += 1) rotation.emit('rotate');
      this.logger.log(
        { provider, breaker: 'closed' },
        `breaker for ${provider} closed: the provider answered its trial`,
      );
      this.transition(provider, 'closed');
    });
    return entry;
  }

  private transition(provider: ProviderName, to: BreakerState): void {
    this.metrics.breakerState.set({ provider }, BREAKER_STATE_VALUE[to]);
    this.metrics.breakerTransitions.inc({ provider, to });
  }

  private rotateAll(): void {
    for (const { rotation } of this.breakers.values()) rotation.emit('rotate');
  }
}
