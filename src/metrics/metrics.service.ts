import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** `outcome` label of the send metrics: a provider call's result, or why it was skipped at no cost. */
export type SendOutcome =
  | 'sent'
  | 'rejected'
  | 'throttled'
  | 'unavailable'
  | 'timeout'
  | 'misconfigured'
  | 'skipped_open'
  | 'skipped_cooldown'
  | 'skipped_rate';

/** `herald_breaker_state` values, ordered by severity so a graph reads up = worse. */
export const BREAKER_STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * Herald's Prometheus instruments, in a registry of its own rather than prom-client's global
 * one: two Nest applications in one process (tests, or api + worker) must not collide on
 * metric names, and `/metrics` serves exactly {@link registry}.
 */
@Injectable()
export class MetricsService {
  /** What `/metrics` serves. */
  readonly registry = new Registry();

  /** Provider calls and skips, by provider, kind and outcome. */
  readonly providerSends = new Counter({
    name: 'herald_provider_sends_total',
    help: 'Provider calls by outcome, and providers skipped at no cost (skipped_*).',
    labelNames: ['provider', 'kind', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Wall time of provider calls (skips are not observed). */
  readonly providerSendDuration = new Histogram({
    name: 'herald_provider_send_duration_seconds',
    help: 'Duration of provider calls, deadline waits included.',
    labelNames: ['provider', 'kind', 'outcome'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  /** 0 closed, 1 half open, 2 open ({@link BREAKER_STATE_VALUE}). */
  readonly breakerState = new Gauge({
    name: 'herald_breaker_state',
    help: 'Circuit breaker state per provider in this process: 0 closed, 1 half_open, 2 open.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  readonly breakerTransitions = new Counter({
    name: 'herald_breaker_transitions_total',
    help: 'Circuit breaker state changes per provider in this process, by the state entered.',
    labelNames: ['provider', 'to'] as const,
    registers: [this.registry],
  });

  /** A provider declared hung from the age of its calls in flight (see ProviderHangDetector). */
  readonly providerHangs = new Counter({
    name: 'herald_provider_hangs_total',
    help: 'Providers declared hung from the age of their calls in flight, in this process.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  /** Calls abandoned before their deadline because their provider was declared hung. */
  readonly callsAbandoned = new Counter({
    name: 'herald_provider_calls_abandoned_total',
    help: 'Provider calls abandoned before their deadline (recorded as ambiguous timeouts) because the provider hung.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });

  /** A message moved on from `from` (failed or skipped) and was next offered to `to`. */
  readonly failovers = new Counter({
    name: 'herald_failovers_total',
    help: 'Messages passed on from one provider to the next within a delivery round.',
    labelNames: ['kind', 'from', 'to'] as const,
    registers: [this.registry],
  });

  /** A notification moved on to its next fallback step (another channel or recipient). */
  readonly fallbacks = new Counter({
    name: 'herald_fallbacks_total',
    help: 'Notifications that moved on to their next fallback step, by channels and reason (failed, bounced, undelivered, timeout, suppressed).',
    labelNames: ['from_channel', 'to_channel', 'reason'] as const,
    registers: [this.registry],
  });

  /** Notifications reaching a final status. */
  readonly notifications = new Counter({
    name: 'herald_notifications_total',
    help: 'Notifications whose delivery ended: sent (accepted by a provider), delivered (chat) or failed.',
    labelNames: ['kind', 'status'] as const,
    registers: [this.registry],
  });

  /**
   * Provider delivery events received: `refused` (signature, replay, shape; one per request),
   * else one per event: `applied`, `duplicate`, `unknown` (no such message), `ignored` (a kind
   * Herald does not track).
   */
  readonly providerEvents = new Counter({
    name: 'herald_provider_events_total',
    help: 'Provider delivery events received, by provider and verdict.',
    labelNames: ['provider', 'verdict'] as const,
    registers: [this.registry],
  });

  /**
   * Events to callers, by type (`notification.sent` …) and outcome: `delivered` (the endpoint
   * answered 2xx), `failed` (every try of the retry schedule refused), `dropped` (the caller has
   * no enabled endpoint subscribed to the type).
   */
  readonly callerEvents = new Counter({
    name: 'herald_caller_events_total',
    help: "Events to callers' endpoints by type and outcome: delivered, failed (schedule exhausted) or dropped.",
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Recipients put on a suppression list (new entries only), by channel and reason. */
  readonly suppressionsAdded = new Counter({
    name: 'herald_suppressions_added_total',
    help: 'Recipients added to a suppression list, by channel and reason.',
    labelNames: ['channel', 'reason'] as const,
    registers: [this.registry],
  });

  /**
   * Intake meeting a suppressed recipient: `refused` counts messages answered 422, `dropped`
   * counts e-mail addresses left out of an accepted message.
   */
  readonly intakeSuppressed = new Counter({
    name: 'herald_intake_suppressed_total',
    help: 'Messages refused (refused) and e-mail addresses dropped (dropped) at intake for suppressed recipients.',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });
}
