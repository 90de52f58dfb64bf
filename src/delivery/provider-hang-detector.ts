import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ChannelError } from '../channels/channel-error';
import type { ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { MetricsService } from '../metrics/metrics.service';
import { callWithDeadline } from './call-with-deadline';
import { ProviderBreakers } from './provider-breakers';

/** Successful latencies kept per provider: the most recent ones, within the rolling window. */
export const HANG_HISTORY_SIZE = 1_024;
/** Fewer recent successes than this is no latency history: the deadline alone decides. */
export const HANG_MIN_SAMPLES = 20;
/** The quantile of recent latency the bound is a multiple of. */
const HANG_QUANTILE = 0.99;

/** A call in flight: when it started, and how to end it early. */
interface InFlightCall {
  readonly startedAt: number;
  readonly abandon: AbortController;
}

/** One provider's calls in flight (in start order) and its recent latency. */
interface ProviderCalls {
  readonly inFlight: Map<number, InFlightCall>;
  /** Ring buffer of successful latencies (ms) and when each ended (epoch ms). */
  readonly latencies: Float64Array;
  readonly endedAt: Float64Array;
  recorded: number;
  /** Epoch ms the provider last answered anything (a success or a classified failure). */
  lastAnswerAt?: number;
}

/** What a hang check found for a provider; exposed for the operator log and the specs. */
export interface HangVerdict {
  readonly provider: ProviderName;
  /** Age of the oldest call in flight, ms. */
  readonly oldestMs: number;
  /** The bound it passed: max(factor × recent p99, floor), ms. */
  readonly boundMs: number;
  readonly abandoned: number;
}

/**
 * Finds a hung provider from the age of its calls in flight, before their deadlines expire.
 *
 * A breaker learns of a hang only from failures, and a hang's first failures are the deadlines
 * of the calls already in flight: with 50 calls out and a 2 s deadline, 50 messages wait 2 s
 * though the provider normally answers in 20 ms. Here every call a round makes is registered
 * with its start time, and each successful call's latency is kept. When the oldest call in
 * flight is older than the bound — max(`HERALD_HANG_LATENCY_FACTOR` × the p99 of the recent
 * successful latencies, `HERALD_HANG_MIN_MS`) — and the provider has answered nothing for as
 * long, the provider is declared hung: its breaker is opened (through ProviderBreakers, which
 * owns breakers) and every call in flight is abandoned at once with an ambiguous `timeout`
 * ChannelError, exactly what a deadline would have produced a little later, so each round
 * records it, ends its in-flight marker and moves on to the next provider. An abandoned call's
 * HTTP request is aborted; an answer that still arrives is ignored (see `callWithDeadline`).
 *
 * "Recent" is the last {@link HANG_HISTORY_SIZE} successes within the breaker's rolling window;
 * with fewer than {@link HANG_MIN_SAMPLES} of them (a new process, an idle provider) there is no
 * bound and the deadline alone decides. A bound at or beyond the deadline changes nothing.
 *
 * Hand-written rather than a quantile sketch (hdr-histogram-js, tdigest): those summarise
 * everything recorded, and a sliding window needs rotated sketches; here the quantile is only
 * computed when a call is already older than the floor — rarely — so sorting at most 1,024 recent
 * values then is cheaper than maintaining a sketch on every success.
 */
@Injectable()
export class ProviderHangDetector implements OnApplicationShutdown {
  private readonly logger = new Logger(ProviderHangDetector.name);
  private readonly providers = new Map<ProviderName, ProviderCalls>();
  private nextCallId = 0;
  private inFlightTotal = 0;
  private timer?: NodeJS.Timeout;
  private recheck?: NodeJS.Immediate;
  /** Milliseconds between checks while calls are in flight. */
  private readonly tickMs: number;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly breakers: ProviderBreakers,
    private readonly metrics: MetricsService,
  ) {
    // A tenth of the floor: a hang is found at most 10 % of the floor after its bound.
    this.tickMs = Math.max(5, Math.floor(config.hang.minMs / 10));
  }

  /** Whether hang detection is on (`HERALD_HANG_LATENCY_FACTOR` > 0). */
  get enabled(): boolean {
    return this.config.hang.latencyFactor > 0;
  }

  /**
   * Runs one provider call with its deadline (see `callWithDeadline`), tracked as in flight:
   * it may be abandoned early, rejecting with an ambiguous `timeout` ChannelError, when the
   * provider is declared hung. Its latency joins the provider's history when it succeeds.
   */
  async call<T>(
    provider: ProviderName,
    deadlineMs: number,
    send: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (!this.enabled) return callWithDeadline(deadlineMs, send);
    const calls = this.calls(provider);
    const id = this.nextCallId++;
    const entry: InFlightCall = { startedAt: Date.now(), abandon: new AbortController() };
    calls.inFlight.set(id, entry);
    this.inFlightTotal += 1;
    this.timer ??= setInterval(() => this.tick(), this.tickMs).unref();
    try {
      const result = await callWithDeadline(deadlineMs, send, entry.abandon.signal);
      const now = Date.now();
      calls.lastAnswerAt = now;
      this.record(calls, now - entry.startedAt, now);
      return result;
    } catch (err) {
      // A classified failure is an answer (the provider is there, if unwell); a timeout, an
      // abandoned call or the channel's own bug says nothing about whether it answers.
      if (
        !entry.abandon.signal.aborted &&
        err instanceof ChannelError &&
        err.errorClass !== 'timeout'
      ) {
        calls.lastAnswerAt = Date.now();
      }
      throw err;
    } finally {
      // An abandoned call left the map when it was abandoned.
      if (calls.inFlight.delete(id)) this.inFlightTotal -= 1;
      if (this.inFlightTotal === 0) this.stopTimer();
    }
  }

  /**
   * The provider's hang bound now, in ms: max(factor × recent p99, floor); undefined without
   * enough recent history (or with detection off).
   */
  boundMs(provider: ProviderName, now = Date.now()): number | undefined {
    const calls = this.providers.get(provider);
    if (!calls || !this.enabled) return undefined;
    const since = now - this.config.breaker.rollingWindowMs;
    const recent: number[] = [];
    const kept = Math.min(calls.recorded, HANG_HISTORY_SIZE);
    for (let i = 0; i < kept; i += 1) {
      if (calls.endedAt[i]! >= since) recent.push(calls.latencies[i]!);
    }
    if (recent.length < HANG_MIN_SAMPLES) return undefined;
    recent.sort((a, b) => a - b);
    const p99 = recent[Math.ceil(HANG_QUANTILE * recent.length) - 1]!;
    return Math.max(Math.ceil(this.config.hang.latencyFactor * p99), this.config.hang.minMs);
  }

  /** Calls in flight to `provider` in this process. */
  inFlight(provider: ProviderName): number {
    return this.providers.get(provider)?.inFlight.size ?? 0;
  }

  /**
   * Checks every provider with calls in flight; declares hung (and abandons the calls of) each
   * whose oldest call passed its bound with no answer for as long. Runs on a timer; public so a
   * spec can drive it.
   */
  check(now = Date.now()): HangVerdict[] {
    const verdicts: HangVerdict[] = [];
    for (const [provider, calls] of this.providers) {
      const verdict = this.judge(provider, calls, now);
      if (verdict) verdicts.push(this.declareHung(provider, calls, verdict));
    }
    return verdicts;
  }

  onApplicationShutdown(): void {
    this.stopTimer();
  }

  private tick(): void {
    // Timers run before pending I/O in Node's event loop: after a stall (GC, a busy machine)
    // a timer would see every call old and no answer, while the answers sit unread in their
    // sockets. So a tick that finds a hang only schedules the real check after the I/O phase.
    if (this.recheck) return;
    const now = Date.now();
    for (const [provider, calls] of this.providers) {
      if (this.judge(provider, calls, now)) {
        this.recheck = setImmediate(() => {
          this.recheck = undefined;
          this.check();
        });
        return;
      }
    }
  }

  private judge(
    provider: ProviderName,
    calls: ProviderCalls,
    now: number,
  ): Omit<HangVerdict, 'abandoned'> | undefined {
    const oldest = calls.inFlight.values().next().value;
    if (!oldest) return undefined;
    const { minMs } = this.config.hang;
    const oldestMs = now - oldest.startedAt;
    const silentMs = calls.lastAnswerAt === undefined ? Infinity : now - calls.lastAnswerAt;
    // The bound is at least the floor: below it nothing is worth a quantile.
    if (oldestMs <= minMs || silentMs <= minMs) return undefined;
    const boundMs = this.boundMs(provider, now);
    if (boundMs === undefined || boundMs >= this.config.providers[provider].deadlineMs) {
      return undefined;
    }
    if (oldestMs <= boundMs || silentMs <= boundMs) return undefined;
    return { provider, oldestMs, boundMs };
  }

  private declareHung(
    provider: ProviderName,
    calls: ProviderCalls,
    found: Omit<HangVerdict, 'abandoned'>,
  ): HangVerdict {
    const abandoned = [...calls.inFlight.values()];
    calls.inFlight.clear();
    this.inFlightTotal -= abandoned.length;
    if (this.inFlightTotal === 0) this.stopTimer();
    const verdict: HangVerdict = { ...found, abandoned: abandoned.length };
    const error = new ChannelError(
      'timeout',
      `provider hung: no answer for ${found.oldestMs} ms, over its bound of ${found.boundMs} ms ` +
        `(${this.config.hang.latencyFactor} × recent p99, at least ${this.config.hang.minMs} ms); ` +
        'abandoned before the deadline',
      { ambiguous: true },
    );
    this.logger.warn(
      { ...verdict },
      `${provider} hung: its oldest call waited ${found.oldestMs} ms (bound ${found.boundMs} ms) ` +
        `with no answer; opening its breaker and failing over ${abandoned.length} call(s) in flight`,
    );
    this.metrics.providerHangs.inc({ provider });
    this.metrics.callsAbandoned.inc({ provider }, abandoned.length);
    // The breaker first, so no new round calls it while the abandoned ones move on.
    this.breakers.openForHang(provider, error);
    for (const call of abandoned) call.abandon.abort(error);
    return verdict;
  }

  private record(calls: ProviderCalls, latencyMs: number, now: number): void {
    const slot = calls.recorded % HANG_HISTORY_SIZE;
    calls.latencies[slot] = latencyMs;
    calls.endedAt[slot] = now;
    calls.recorded += 1;
  }

  private calls(provider: ProviderName): ProviderCalls {
    let calls = this.providers.get(provider);
    if (!calls) {
      calls = {
        inFlight: new Map(),
        latencies: new Float64Array(HANG_HISTORY_SIZE),
        endedAt: new Float64Array(HANG_HISTORY_SIZE),
        recorded: 0,
      };
      this.providers.set(provider, calls);
    }
    return calls;
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.recheck) clearImmediate(this.recheck);
    this.recheck = undefined;
  }
}
