import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChannelError } from '../channels/channel-error';
import { ChannelRegistry } from '../channels/channel-registry';
import type { NotificationChannel, SendResult } from '../channels/notification-channel';
import { CHANNEL_KINDS, type ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
// A round waits at most this, in all, for providers at their send ceiling when no other took
// the message: a ceiling refills every second, so a short wait beats a whole backoff round.
import { MAX_RATE_WAIT_MS } from '../config/message-lifetime';
import { MetricsService, type SendOutcome } from '../metrics/metrics.service';
import {
  type FirstCalls,
  NotificationLifecycle,
  type RoundOwner,
} from '../notifications/notification-lifecycle';
import type { NotificationMessage } from '../notifications/notification-message.schema';
import type { DeliveryAttempt } from '../contracts/notification-record';
import { TWILIO_UNSUBSCRIBED } from '../provider-events/twilio-event.verifier';
import { isRedisUnavailable } from '../redis/redis-errors';
import { SuppressionList } from '../suppression/suppression-list';
import { isBreakerOpenError, ProviderBreakers } from './provider-breakers';
import { ProviderHangDetector } from './provider-hang-detector';
import { ProviderCooldowns } from './provider-cooldowns';
import { ProviderRateLimits } from './provider-rate-limits';

/** What one delivery round came to. */
export type RoundOutcome =
  /** A provider accepted the message; the record already says `sent` (`delivered` for chat). */
  | {
      readonly kind: 'delivered';
      readonly provider: ProviderName;
      readonly providerMessageId: string;
    }
  /** A provider refused the message for good: no other provider is tried. */
  | { readonly kind: 'rejected'; readonly provider: ProviderName; readonly detail: string }
  /**
   * No provider could take it now (each skipped or failed transiently). `retryAfterMs` is the
   * longest Retry-After seen (0 if none); `summary` says why, provider by provider.
   */
  | { readonly kind: 'retry-later'; readonly retryAfterMs: number; readonly summary: string }
  /**
   * This round no longer owns the delivery (its job's lock was lost: a pause, a partition):
   * it called no provider after finding out, and it must write nothing more.
   */
  | { readonly kind: 'lost' };

/** A cool-down read older than this is read again before a call. */
const COOLDOWN_STALE_MS = 50;

type Step =
  | { readonly kind: 'delivered'; readonly result: SendResult }
  | { readonly kind: 'rejected'; readonly detail: string }
  | { readonly kind: 'next'; readonly note: string; readonly retryAfterMs?: number }
  | { readonly kind: 'at_ceiling'; readonly note: string; readonly retryInMs: number }
  | { readonly kind: 'lost' };

/** Milliseconds between tries to write an outcome while Redis does not answer: first and most. */
const OUTCOME_RETRY_FIRST_MS = 50;
const OUTCOME_RETRY_MAX_MS = 1_000;

/** The state of one round as it walks the order. */
interface Round {
  readonly id: string;
  readonly message: NotificationMessage;
  readonly number: number;
  readonly owner: RoundOwner;
  cooling: Map<ProviderName, number>;
  coolingReadAt: number;
  /** The first call, begun with the round's start and not yet made (see `firstCalls`). */
  begun?: { readonly provider: ProviderName; readonly at: string };
}

/**
 * Delivers one round of a notification: walks its providers in order, skipping at no
 * cost those whose breaker is open, that are cooling down after a 429 or that are at their send
 * ceiling; calls the others through their breaker with their deadline until one accepts. Every
 * call and skip is appended to the notification's record.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly channels: ChannelRegistry,
    private readonly lifecycle: NotificationLifecycle,
    private readonly breakers: ProviderBreakers,
    private readonly cooldowns: ProviderCooldowns,
    private readonly rateLimits: ProviderRateLimits,
    private readonly metrics: MetricsService,
    private readonly suppressions: SuppressionList,
    private readonly hangs: ProviderHangDetector,
  ) {}

  /**
   * The providers a message may go to, in order: its own `providers` (a subset of the
   * configured ones, checked at intake) or its kind's configured order; providers without a
   * channel (configuration changed since intake) are left out.
   */
  orderFor(message: NotificationMessage): ProviderName[] {
    const wanted = message.providers ?? this.channels.order(message.channel);
    return wanted.filter((p) => this.channels.get(p) !== undefined);
  }

  /**
   * For each channel, the first provider of its order when this worker would call it at once —
   * breaker closed, no cool-down in its last read, no send ceiling to take from — with the
   * call's lease: starting a round with these also begins its first call, one Redis round trip
   * instead of two (see `NotificationLifecycle.startRound`).
   */
  firstCalls(): FirstCalls {
    const now = Date.now();
    const calls: FirstCalls[number][] = [];
    for (const channel of CHANNEL_KINDS) {
      const provider = this.channels.order(channel)[0];
      if (provider === undefined || this.channels.get(provider) === undefined) continue;
      if (this.breakers.state(provider) !== 'closed') continue;
      if (this.rateLimits.limits(provider) || !this.cooldowns.knownNotCooling(provider, now)) {
        continue;
      }
      calls.push({ channel, provider, leaseMs: this.leaseMs(provider) });
    }
    return calls;
  }

  /**
   * Runs delivery round `round` (1-based) of notification `id` for `owner`, the round that
   * started it. On success the record says `delivered` before this returns: nothing else
   * happens between the provider's answer and that write, which keeps the window where a crash
   * causes a second send as small as it can be. `begun`: the round's first call, begun by its
   * start (see `firstCalls`).
   */
  async deliverRound(
    id: string,
    message: NotificationMessage,
    round: number,
    owner: RoundOwner,
    begun?: { readonly provider: ProviderName; readonly at: string },
  ): Promise<RoundOutcome> {
    const order = this.orderFor(message);
    if (order.length === 0) {
      return {
        kind: 'retry-later',
        retryAfterMs: 0,
        summary: `no ${message.channel} provider is configured`,
      };
    }
    const state: Round = {
      id,
      message,
      number: round,
      owner,
      cooling: await this.cooldowns.untilAll(order),
      coolingReadAt: Date.now(),
      ...(begun ? { begun } : {}),
    };
    const notes = new Map<ProviderName, string>();
    let retryAfterMs = 0;
    let candidates = order;
    let rateWaitedMs = 0;
    const ceilingRecorded = new Set<ProviderName>();

    for (let pass = 1; ; pass += 1) {
      const atCeiling = new Map<ProviderName, number>();
      let previous: ProviderName | undefined;
      for (const provider of candidates) {
        if (pass === 1 && previous !== undefined) {
          this.metrics.failovers.inc({ kind: message.channel, from: previous, to: provider });
        }
        previous = provider;
        const step = await this.tryProvider(state, provider, !ceilingRecorded.has(provider));
        switch (step.kind) {
          case 'delivered':
            return {
              kind: 'delivered',
              provider,
              providerMessageId: step.result.providerMessageId,
            };
          case 'rejected':
            return { kind: 'rejected', provider, detail: step.detail };
          case 'lost':
            return { kind: 'lost' };
          case 'at_ceiling':
            atCeiling.set(provider, step.retryInMs);
            ceilingRecorded.add(provider);
            notes.set(provider, step.note);
            break;
          case 'next':
            notes.set(provider, step.note);
            retryAfterMs = Math.max(retryAfterMs, step.retryAfterMs ?? 0);
            break;
        }
      }
      const wait = Math.min(...atCeiling.values());
      if (atCeiling.size === 0 || rateWaitedMs + wait > MAX_RATE_WAIT_MS) break;
      // Every provider that could take the message is at its ceiling: wait for the next
      // second's budget rather than a whole backoff round.
      await new Promise((resolve) => setTimeout(resolve, wait));
      rateWaitedMs += wait;
      candidates = order.filter((p) => atCeiling.has(p));
      state.cooling = await this.cooldowns.untilAll(candidates);
      state.coolingReadAt = Date.now();
    }

    return {
      kind: 'retry-later',
      retryAfterMs,
      summary: [...notes].map(([p, note]) => `${p}: ${note}`).join('; '),
    };
  }

  private async tryProvider(
    round: Round,
    provider: ProviderName,
    recordCeiling: boolean,
  ): Promise<Step> {
    const kind = round.message.channel;
    const channel = this.channels.get(provider) as NotificationChannel | undefined;
    if (!channel) return { kind: 'next', note: 'no channel' };

    if (!this.breakers.admits(provider)) {
      await this.skip(round, provider, 'skipped_open', 'breaker open');
      return { kind: 'next', note: 'breaker open' };
    }
    if (Date.now() - round.coolingReadAt > COOLDOWN_STALE_MS) {
      const until = await this.cooldowns.until(provider);
      if (until === undefined) round.cooling.delete(provider);
      else round.cooling.set(provider, until);
    }
    const coolingUntil = round.cooling.get(provider);
    if (coolingUntil !== undefined && coolingUntil > Date.now()) {
      const note = `cooling down until ${new Date(coolingUntil).toISOString()}`;
      await this.skip(round, provider, 'skipped_cooldown', note);
      return { kind: 'next', note, retryAfterMs: coolingUntil - Date.now() };
    }
    const rate = await this.rateLimits.take(provider);
    if (!rate.allowed) {
      const note = `at its rate ceiling of ${this.config.providers[provider].maxPerSecond}/s`;
      if (recordCeiling) await this.skip(round, provider, 'skipped_rate', note);
      else this.metrics.providerSends.inc({ provider, kind, outcome: 'skipped_rate' });
      return { kind: 'at_ceiling', note, retryInMs: rate.retryInMs };
    }

    const { deadlineMs } = this.config.providers[provider];
    let at: string;
    if (round.begun?.provider === provider) {
      // Begun with the round's start: its marker and lease are written already.
      at = round.begun.at;
      round.begun = undefined;
    } else {
      at = new Date().toISOString();
      // The call's lease: its deadline, plus a lock period of grace for the answer to be
      // written. While it runs no other round sends this notification.
      const owned = await this.lifecycle.beginCall(round.id, round.owner, {
        provider,
        round: round.number,
        at,
        leaseMs: this.leaseMs(provider),
      });
      if (!owned) return this.lost(round, provider);
    }
    const started = performance.now();
    let result: SendResult;
    try {
      result = await this.breakers.fire(provider, () =>
        // The deadline, or earlier when the provider is found hung (see ProviderHangDetector).
        this.hangs.call(provider, deadlineMs, (signal) =>
          channel.send(round.message, { signal, notificationId: round.id }),
        ),
      );
    } catch (err) {
      const latencyMs = Math.round(performance.now() - started);
      if (isBreakerOpenError(err)) {
        // Another job took the half-open trial between the check above and this call.
        const attempt = skipped(provider, round.number, 'breaker open');
        this.metrics.providerSends.inc({ provider, kind, outcome: 'skipped_open' });
        const kept = await this.persist(round, () =>
          this.lifecycle.appendAttempt(round.id, round.owner, attempt, true),
        );
        return kept ? { kind: 'next', note: 'breaker open' } : this.lost(round, provider);
      }
      return this.failed(round, provider, at, latencyMs, this.classify(provider, err));
    }

    const latencyMs = Math.round(performance.now() - started);
    this.observe(provider, kind, 'sent', latencyMs);
    const kept = await this.persist(round, () =>
      this.lifecycle.markAccepted(round.id, round.owner, kind, provider, result.providerMessageId, {
        provider,
        at,
        outcome: 'sent',
        latencyMs,
        ambiguous: false,
        round: round.number,
      }),
    );
    if (!kept) {
      this.logger.error(
        { notificationId: round.id, provider },
        `${provider} accepted notification ${round.id}, but another round had taken it over: ` +
          'that round recorded this call as ambiguous',
      );
      return { kind: 'lost' };
    }
    return { kind: 'delivered', result };
  }

  /** A call's lease: its deadline, plus a lock period of grace for the answer to be written. */
  private leaseMs(provider: ProviderName): number {
    return this.config.providers[provider].deadlineMs + this.config.queue.lockMs;
  }

  /**
   * Writes a provider outcome, trying again while Redis does not answer (a restart, a blip): the
   * outcome is only in this process's memory until written, and a lost outcome means a second
   * send. The write is conditional on this round's ownership and safe to repeat, so a try whose
   * reply was lost does no harm. Resolves with false when the round no longer owns the record.
   */
  private async persist(round: Round, write: () => Promise<boolean>): Promise<boolean> {
    let waitMs = OUTCOME_RETRY_FIRST_MS;
    let warned = false;
    for (;;) {
      try {
        return await write();
      } catch (err) {
        if (!isRedisUnavailable(err)) throw err;
        if (!warned) {
          warned = true;
          this.logger.warn(
            { notificationId: round.id, err: { message: (err as Error).message } },
            'cannot record a provider outcome (Redis unreachable); keeping it and trying again',
          );
        }
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        waitMs = Math.min(waitMs * 2, OUTCOME_RETRY_MAX_MS);
      }
    }
  }

  private lost(round: Round, provider: ProviderName): Step {
    this.logger.warn(
      { notificationId: round.id, provider, round: round.number },
      `round ${round.number} of notification ${round.id} lost its job's lock: it stops without calling ${provider}`,
    );
    return { kind: 'lost' };
  }

  private async failed(
    round: Round,
    provider: ProviderName,
    at: string,
    latencyMs: number,
    err: ChannelError,
  ): Promise<Step> {
    const attempt: DeliveryAttempt = {
      provider,
      at,
      outcome: 'failed',
      errorClass: err.errorClass,
      detail: err.detail,
      latencyMs,
      ambiguous: err.ambiguous,
      round: round.number,
    };
    this.observe(provider, round.message.channel, err.errorClass, latencyMs);
    const kept = await this.persist(round, () =>
      this.lifecycle.appendAttempt(round.id, round.owner, attempt, true),
    );
    if (!kept) return { kind: 'lost' };
    const note = `${err.errorClass} (${err.detail})`;
    switch (err.errorClass) {
      case 'rejected':
        await this.suppressUnsubscribed(round, provider, err);
        return { kind: 'rejected', detail: err.detail };
      case 'throttled': {
        // A provider may ask for any wait (Retry-After: 1e20): no rest is longer than the cap.
        const asked =
          err.retryAfterMs === undefined
            ? undefined
            : Math.min(err.retryAfterMs, this.config.retry.capMs);
        const restMs = await this.cooldowns.start(provider, asked);
        round.cooling.set(provider, Date.now() + restMs);
        return { kind: 'next', note, retryAfterMs: restMs };
      }
      case 'misconfigured':
        this.logger.error(
          { provider, errorClass: err.errorClass, detail: err.detail },
          `${provider} is misconfigured: ${err.detail}; failing over until it is fixed`,
        );
        return { kind: 'next', note };
      case 'unavailable':
      case 'timeout':
        return { kind: 'next', note };
    }
  }

  /**
   * Twilio refuses a number that replied STOP (21610): it joins the SMS suppression list, so the
   * next message to it is refused at intake. Adding is idempotent; a Redis failure here loses
   * only the entry (the next send is refused by Twilio again), never the round.
   */
  private async suppressUnsubscribed(
    round: Round,
    provider: ProviderName,
    err: ChannelError,
  ): Promise<void> {
    const { message } = round;
    if (message.channel !== 'sms' || err.providerCode !== TWILIO_UNSUBSCRIBED) return;
    try {
      await this.suppressions.addIfAbsent('sms', message.to, 'unsubscribe', provider);
    } catch (e) {
      this.logger.warn(
        { notificationId: round.id, err: { message: (e as Error).message } },
        'could not add an unsubscribed number to the suppression list',
      );
    }
  }

  private classify(provider: ProviderName, err: unknown): ChannelError {
    if (err instanceof ChannelError) return err;
    // A channel classifies every provider failure; anything else broke in the channel's own code
    // on this message (a RangeError on absurd nesting, say). It is the message's fault, so it
    // fails that message alone and never counts against the provider. Only the
    // name is logged: an SDK error's message or properties may hold the request, key included.
    const name = (err as Error | undefined)?.name ?? typeof err;
    this.logger.error(
      { provider, errorName: name },
      `${provider} channel threw an unclassified error (${name}); rejecting this message`,
    );
    return new ChannelError(
      'rejected',
      `the ${provider} channel could not handle this message (${name})`,
      {
        cause: err,
      },
    );
  }

  private async skip(
    round: Round,
    provider: ProviderName,
    outcome: Extract<SendOutcome, `skipped_${string}`>,
    detail: string,
  ): Promise<void> {
    this.metrics.providerSends.inc({ provider, kind: round.message.channel, outcome });
    // A call begun with the round's start and now skipped ends its in-flight marker here.
    const begun = round.begun?.provider === provider;
    if (begun) round.begun = undefined;
    // Not the owner any more: the next call's check stops the round.
    await this.lifecycle.appendAttempt(
      round.id,
      round.owner,
      skipped(provider, round.number, detail),
      begun,
    );
  }

  private observe(
    provider: ProviderName,
    kind: NotificationMessage['channel'],
    outcome: SendOutcome,
    latencyMs: number,
  ): void {
    this.metrics.providerSends.inc({ provider, kind, outcome });
    this.metrics.providerSendDuration.observe({ provider, kind, outcome }, latencyMs / 1000);
  }
}

function skipped(provider: ProviderName, round: number, detail: string): DeliveryAttempt {
  return {
    provider,
    at: new Date().toISOString(),
    outcome: 'skipped',
    detail,
    latencyMs: 0,
    ambiguous: false,
    round,
  };
}
