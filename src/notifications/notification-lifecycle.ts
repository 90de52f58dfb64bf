import { Inject, Injectable } from '@nestjs/common';
import type { ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { RedisService } from '../redis/redis.service';
import {
  APPEND_ATTEMPT,
  APPLY_EVENT,
  BEGIN_CALL,
  END_ROUND,
  CANCEL,
  FAIL_ORPHAN,
  FAIL_STEP,
  MARK_ACCEPTED,
  REDRIVE,
  START_ROUND,
  STEP_TIMEOUT,
} from './notification-lifecycle.scripts';
import type { NotificationMessage } from './notification-message.schema';
import type { ChannelKind } from '../config/config.schema';
import type {
  DeliveryAttempt,
  NotificationFailure,
  NotificationStatus,
  ProviderEvent,
  ProviderEventType,
  RouteStepReason,
} from '../contracts/notification-record';
import { providerEventKey, providerMessageKey, recordKeys } from './record-keys';
import { recipientKey } from './recipient-states';
import { sentCallField } from './sent-call';

/**
 * Every status change of a record, as a table: the states each transition starts from and the
 * state it leads to. The Lua scripts take their state lists from here, so a new status (say,
 * `sent` before `delivered`) is added in this one place.
 */
export const TRANSITIONS = {
  /** A round starts (or takes over from an owner that is gone). */
  startRound: { from: ['queued', 'sending', 'scheduled'], to: 'sending' },
  /** The owner calls a provider or records an attempt: only while sending. */
  call: { from: ['sending'], to: 'sending' },
  /** A provider accepted the message; its events say what became of it. */
  accepted: { from: ['sending'], to: 'sent' },
  /** Slack said ok: for chat, acceptance is delivery. */
  acceptedChat: { from: ['sending'], to: 'delivered' },
  /** No provider took it this round: wait for the next. */
  waiting: { from: ['sending'], to: 'queued' },
  /** Rejected, or rounds exhausted. */
  failed: { from: ['sending'], to: 'failed' },
  /** The job failed for good outside a round's decision. */
  orphaned: { from: ['queued', 'sending', 'scheduled'], to: 'failed' },
  /** `POST /retry`. */
  redrive: { from: ['failed'], to: 'queued' },
  /** `POST /cancel`: only before a round sends (waiting for a retry is `queued` too). */
  cancel: { from: ['queued', 'scheduled'], to: 'cancelled' },
  /** Provider events: forward only (see {@link EVENT_RANK}). */
  eventDelivered: { from: ['sent'], to: 'delivered' },
  eventBounced: { from: ['sent'], to: 'bounced' },
  eventUndelivered: { from: ['sent'], to: 'undelivered' },
  eventComplained: { from: ['sent', 'delivered'], to: 'complained' },
  /**
   * The current step ends and its next fallback step starts, `queued`: from a failed round
   * (`sending`), a bounce or undelivered event (`sent`), or a step not sent in time.
   */
  nextStep: { from: ['queued', 'sending', 'scheduled', 'sent'], to: 'queued' },
  /** A step not sent within `fallbackAfterSeconds` gives way to the next (see `nextStep`). */
  stepTimedOut: { from: ['queued', 'sending', 'scheduled'], to: 'queued' },
} as const satisfies Record<
  string,
  { from: readonly NotificationStatus[]; to: NotificationStatus }
>;

/**
 * States in which a provider has accepted the message. A round never starts from them and no
 * transition leaves them for an earlier state: nothing sends such a notification again.
 */
export const ACCEPTED_STATES = [
  'sent',
  'delivered',
  'bounced',
  'complained',
  'undelivered',
] as const satisfies readonly NotificationStatus[];

/** The status a provider event leads to, with the transition that allows it. */
export const EVENT_TRANSITION = {
  delivered: TRANSITIONS.eventDelivered,
  bounced: TRANSITIONS.eventBounced,
  undelivered: TRANSITIONS.eventUndelivered,
  complained: TRANSITIONS.eventComplained,
} as const satisfies Partial<
  Record<ProviderEventType, { from: readonly NotificationStatus[]; to: NotificationStatus }>
>;

/** Statuses a provider event moves a step to that start its next fallback step, if any. */
export const STEP_ENDING_EVENTS = [
  'bounced',
  'undelivered',
] as const satisfies readonly NotificationStatus[];

/** Why a notification moved on to its next fallback step. */
export type FallbackReason = RouteStepReason;

/** A transition that ended a step and started the next fallback step (`queued`). */
export interface StepAdvance {
  readonly fromChannel: ChannelKind;
  readonly toChannel: ChannelKind;
  /** The step that started. */
  readonly step: number;
  /** Whether a further step follows it. */
  readonly more: boolean;
  /** The notification's `fallbackAfterSeconds`, in ms, when it has one. */
  readonly fallbackAfterMs?: number;
  readonly reason: FallbackReason;
}

/** What applying a provider event did. */
export type EventApplied =
  /** No notification with that provider message id (expired, or not ours). */
  | { readonly kind: 'unknown' }
  /**
   * This event (by the provider's event id) was recorded before: nothing done. The record's
   * current status and step, so a caller can finish what the first delivery began.
   */
  | {
      readonly kind: 'duplicate';
      readonly notificationId: string;
      readonly status: NotificationStatus;
      readonly step: number;
    }
  /**
   * Recorded; `status` is the record's status after it; `suppressed`: recipients it put on a
   * suppression list (not there before).
   */
  | {
      readonly kind: 'applied';
      readonly notificationId: string;
      readonly status: NotificationStatus;
      readonly moved: boolean;
      readonly suppressed: number;
      /** The event ended the step: the next fallback step started. */
      readonly advanced?: StepAdvance;
    };

/** What a step's `fallbackAfterSeconds` running out did. */
export type StepTimeout =
  | { readonly kind: 'gone' }
  /** The record is at another step (this one ended before, or a later one runs). */
  | { readonly kind: 'other_step'; readonly step: number; readonly status: NotificationStatus }
  /** The step was sent (or ended) in time: nothing to do. */
  | { readonly kind: 'kept'; readonly status: NotificationStatus }
  | { readonly kind: 'advanced'; readonly advanced: StepAdvance };

/** What failing a step did: not the owner, the notification failed, or the next step started. */
export type StepFailure =
  | { readonly kind: 'lost' }
  | { readonly kind: 'failed' }
  | { readonly kind: 'advanced'; readonly advanced: StepAdvance };

/** Suppression entries an event writes with itself: the list's key and field/entry pairs. */
export interface EventSuppression {
  /** The list's key on notification shard `shard` (the event's notification's). */
  keyOn(shard: number): string;
  readonly fields: readonly { readonly field: string; readonly value: string }[];
}

/** Detail of an attempt whose call started but whose answer was never recorded. */
export const INTERRUPTED_DETAIL =
  'interrupted: the worker stopped before the answer was recorded; the provider may have accepted it';

/**
 * Who runs a round: the job's BullMQ lock token, the Redis key of that lock, and the fallback
 * step the job delivers (0 for the message itself).
 */
export interface RoundOwner {
  readonly token: string;
  readonly lockKey: string;
  readonly step: number;
}

/** What starting a round found. */
export type RoundStart =
  /** The record expired or was removed. */
  | { readonly kind: 'gone' }
  /** The record is at another fallback step than the job's: the job has nothing to do. */
  | { readonly kind: 'other_step'; readonly step: number; readonly status: NotificationStatus }
  /** A provider accepted it already: nothing to send. */
  | { readonly kind: 'final'; readonly status: NotificationStatus }
  /** Another owner is alive (its lock held, or its call within its lease): try again later. */
  | { readonly kind: 'busy'; readonly waitMs: number }
  /** Scheduled, and its time (`sendAt`) is `waitMs` away: run again then. */
  | { readonly kind: 'not_yet'; readonly waitMs: number }
  /** In a state no round starts from (failed). */
  | { readonly kind: 'not_startable'; readonly status: NotificationStatus }
  /** This owner's round `round`; `budgetFrom` is the round count at the last re-drive. */
  | {
      readonly kind: 'started';
      readonly round: number;
      readonly budgetFrom: number;
      readonly message?: NotificationMessage;
      readonly previous: NotificationStatus;
      /** The provider of a call an earlier owner left unrecorded (now an ambiguous attempt). */
      readonly interrupted?: ProviderName;
      /**
       * The round's first call, already begun by this start (its in-flight marker written, at
       * `at`): the owner calls it without {@link NotificationLifecycle.beginCall}. See
       * {@link FirstCalls}.
       */
      readonly begun?: { readonly provider: ProviderName; readonly at: string };
    };

/**
 * The first call an owner would make now for a message of each channel (a provider its
 * breaker, cool-down and ceiling let through at once) and that call's lease, in ms: starting a
 * round with it also begins that call when it is the message's first provider.
 */
export type FirstCalls = ReadonlyArray<{
  readonly channel: ChannelKind;
  readonly provider: ProviderName;
  readonly leaseMs: number;
}>;

type Script = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Owns every transition of a notification record after it is created. Each
 * is one Lua script, conditional on the expected state and on the owner's token, so a worker
 * that lost its job (paused, partitioned, its lock expired) can neither send nor write.
 */
@Injectable()
export class NotificationLifecycle {
  private readonly scripts: Record<string, Script>;

  constructor(
    private readonly redis: RedisService,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {
    const define = (name: string, keys: number, lua: string) => {
      redis.client.defineCommand(name, { numberOfKeys: keys, lua });
      return (...args: (string | number)[]) =>
        (redis.client as unknown as Record<string, Script>)[name]!(...args);
    };
    this.scripts = {
      start: define('heraldLcStart', 4, START_ROUND),
      beginCall: define('heraldLcBeginCall', 2, BEGIN_CALL),
      append: define('heraldLcAppend', 2, APPEND_ATTEMPT),
      accepted: define('heraldLcAccepted', 3, MARK_ACCEPTED),
      end: define('heraldLcEnd', 1, END_ROUND),
      failStep: define('heraldLcFailStep', 2, FAIL_STEP),
      timeout: define('heraldLcStepTimeout', 2, STEP_TIMEOUT),
      orphan: define('heraldLcOrphan', 3, FAIL_ORPHAN),
      redrive: define('heraldLcRedrive', 2, REDRIVE),
      cancel: define('heraldLcCancel', 1, CANCEL),
      event: define('heraldLcEvent', 5, APPLY_EVENT),
    };
  }

  private get ttl(): number {
    return this.config.records.ttlSeconds;
  }

  private keys(id: string) {
    return recordKeys(this.redis, id);
  }

  /**
   * Starts a round for `owner`, unless accepted already, failed, or owned by a live round. With
   * `firstCalls`, also begins the round's first call when the message's first provider is
   * among them (see `begun`). With `jobData`, the owner's job hash (`key`) gets that `data`
   * in the same step, whatever the round's start finds, as BullMQ's `Job.updateData` would
   * write it: one round trip where there were two.
   */
  async startRound(
    id: string,
    owner: RoundOwner,
    firstCalls: FirstCalls = [],
    jobData?: { readonly key: string; readonly data: string },
  ): Promise<RoundStart> {
    const k = this.keys(id);
    const at = now();
    const r = (await this.scripts.start!(
      k.record,
      k.attempts,
      owner.lockKey,
      // None: the record's key again (a cluster refuses an empty key name: another slot).
      jobData?.key ?? k.record,
      owner.token,
      at,
      this.ttl,
      list(TRANSITIONS.startRound.from),
      list(ACCEPTED_STATES),
      INTERRUPTED_DETAIL,
      owner.step,
      firstCalls.map((c) => `${c.channel}=${c.provider}=${Math.ceil(c.leaseMs)}`).join(';'),
      jobData?.data ?? '',
    )) as [string, ...(string | number)[]];
    switch (r[0]) {
      case 'gone':
        return { kind: 'gone' };
      case 'other_step':
        return { kind: 'other_step', step: Number(r[1]), status: r[2] as NotificationStatus };
      case 'final':
        return { kind: 'final', status: r[1] as NotificationStatus };
      case 'busy':
        return { kind: 'busy', waitMs: Math.max(1, Number(r[1])) };
      case 'not_startable':
        return { kind: 'not_startable', status: r[1] as NotificationStatus };
      case 'not_yet':
        return { kind: 'not_yet', waitMs: Math.max(1, Number(r[1])) };
      default: {
        const [, round, budgetFrom, message, previous, interrupted, begun] = r;
        return {
          kind: 'started',
          round: Number(round),
          budgetFrom: Number(budgetFrom),
          ...(message ? { message: JSON.parse(String(message)) as NotificationMessage } : {}),
          previous: previous as NotificationStatus,
          ...(interrupted ? { interrupted: interrupted as ProviderName } : {}),
          ...(begun ? { begun: { provider: begun as ProviderName, at } } : {}),
        };
      }
    }
  }

  /**
   * Just before a provider call: true when `owner` still holds its lock and the record, with
   * the in-flight marker now written (its lease `leaseMs`). False: do not call.
   */
  async beginCall(
    id: string,
    owner: RoundOwner,
    call: { provider: ProviderName; round: number; at: string; leaseMs: number },
  ): Promise<boolean> {
    const r = await this.scripts.beginCall!(
      this.keys(id).record,
      owner.lockKey,
      owner.token,
      call.provider,
      call.round,
      call.at,
      Math.ceil(call.leaseMs),
      list(TRANSITIONS.call.from),
      owner.step,
    );
    return r === 1;
  }

  /** Appends a failed call (ending its in-flight marker) or a skip. False: not the owner. */
  async appendAttempt(
    id: string,
    owner: RoundOwner,
    attempt: DeliveryAttempt,
    endsCall: boolean,
  ): Promise<boolean> {
    const k = this.keys(id);
    const r = await this.scripts.append!(
      k.record,
      k.attempts,
      owner.token,
      JSON.stringify(attempt),
      endsCall ? '1' : '0',
      now(),
      this.ttl,
      list(TRANSITIONS.call.from),
      owner.step,
    );
    return r === 1;
  }

  /**
   * A provider accepted the message: the record says so (`sent`, or `delivered` for chat) with
   * the attempt and, in the same step, the index from the provider's message id to the
   * notification, so the provider's events find it. True also when this owner wrote it before
   * (a repeat after a lost reply). False: not the owner.
   */
  async markAccepted(
    id: string,
    owner: RoundOwner,
    channel: ChannelKind,
    provider: ProviderName,
    providerMessageId: string,
    attempt: DeliveryAttempt,
  ): Promise<boolean> {
    const k = this.keys(id);
    const transition = channel === 'chat' ? TRANSITIONS.acceptedChat : TRANSITIONS.accepted;
    const at = now();
    const r = await this.scripts.accepted!(
      k.record,
      k.attempts,
      // Chat has no delivery events: no index (the record's key again says so: a cluster
      // refuses an empty key name, which hashes to another slot).
      channel === 'chat'
        ? k.record
        : providerMessageKey(this.redis, this.redis.shards.ofId(id), provider, providerMessageId),
      owner.token,
      transition.to,
      provider,
      providerMessageId,
      JSON.stringify(attempt),
      at,
      this.ttl,
      list(transition.from),
      list(ACCEPTED_STATES),
      id,
      owner.step,
      sentCallField(attempt, provider, at),
    );
    return r === 1;
  }

  /**
   * Records a provider event on the notification its provider message id names: appended to
   * the record's events, and the status moved forward when the event allows it (an event never
   * takes a record back: `delivered` after `bounced` is recorded but changes nothing). With
   * `suppression`, the event's recipients join that list in the same step, once. `recipients`:
   * the addresses the event names; for an e-mail to several they move those recipients' states
   * and the status follows the rule in the README.
   */
  async applyEvent(
    provider: ProviderName,
    providerMessageId: string,
    eventId: string,
    event: ProviderEvent,
    suppression?: EventSuppression,
    recipients: readonly string[] = [],
  ): Promise<EventApplied> {
    const id = await this.notificationOf(provider, providerMessageId);
    if (!id) return { kind: 'unknown' };
    const k = this.keys(id);
    const transition =
      event.type in EVENT_TRANSITION
        ? EVENT_TRANSITION[event.type as keyof typeof EVENT_TRANSITION]
        : undefined;
    const r = (await this.scripts.event!(
      k.record,
      k.events,
      providerEventKey(this.redis, id, provider, eventId),
      k.attempts,
      // None: the record's key again (a cluster refuses an empty key name, another slot).
      suppression?.keyOn(this.redis.shards.ofId(id)) ?? k.record,
      JSON.stringify(event),
      transition?.to ?? '',
      list(transition?.from ?? []),
      now(),
      this.ttl,
      event.at,
      provider,
      providerMessageId.replace(/^<(.*)>$/, '$1'),
      list(STEP_ENDING_EVENTS),
      ...nextStep(),
      recipients.map(recipientKey).join(','),
      ...(suppression?.fields ?? []).flatMap((f) => [f.field, f.value]),
    )) as [string, ...(string | number)[]];
    if (r[0] === 'gone') return { kind: 'unknown' };
    if (r[0] === 'duplicate') {
      return {
        kind: 'duplicate',
        notificationId: id,
        status: r[1] as NotificationStatus,
        step: Number(r[2]),
      };
    }
    if (r[0] === 'advanced') {
      return {
        kind: 'applied',
        notificationId: id,
        status: r[1] as NotificationStatus,
        moved: true,
        suppressed: Number(r[2]),
        advanced: stepAdvance(r.slice(3).map(String), event.type as FallbackReason),
      };
    }
    return {
      kind: 'applied',
      notificationId: id,
      status: r[1] as NotificationStatus,
      moved: r[0] === 'moved',
      suppressed: Number(r[2] ?? 0),
    };
  }

  /**
   * The notification a provider's message id names: the send's script wrote the map on the
   * notification's shard, which the id alone does not tell, so every shard is asked (one GET
   * each, in one round trip).
   */
  private async notificationOf(
    provider: ProviderName,
    providerMessageId: string,
  ): Promise<string | undefined> {
    const found = await Promise.all(
      this.redis.shards.all.map((shard) =>
        this.redis.client.get(providerMessageKey(this.redis, shard, provider, providerMessageId)),
      ),
    );
    return found.find((id) => id !== null) ?? undefined;
  }

  /**
   * Step `step`'s `fallbackAfterSeconds` ran out: if the record is still at that step and not
   * sent, the next step supersedes it (see STEP_TIMEOUT).
   */
  async stepTimeout(id: string, step: number): Promise<StepTimeout> {
    const k = this.keys(id);
    const r = (await this.scripts.timeout!(
      k.record,
      k.attempts,
      step,
      now(),
      this.ttl,
      list(TRANSITIONS.stepTimedOut.from),
      ...nextStep(),
    )) as string[];
    switch (r[0]) {
      case 'gone':
        return { kind: 'gone' };
      case 'other_step':
        return { kind: 'other_step', step: Number(r[1]), status: r[2] as NotificationStatus };
      case 'kept':
        return { kind: 'kept', status: r[1] as NotificationStatus };
      default:
        return { kind: 'advanced', advanced: stepAdvance(r.slice(1), 'timeout') };
    }
  }

  /** Back to `queued` until the next round at `nextAttemptAt` (ISO). False: not the owner. */
  async markWaiting(id: string, owner: RoundOwner, nextAttemptAt: string): Promise<boolean> {
    return this.endRound(id, owner, TRANSITIONS.waiting, ['nextAttemptAt', nextAttemptAt]);
  }

  /**
   * Fails the owner's step for good: its next fallback step starts, or, at the last step, the
   * notification is `failed`.
   */
  async markFailed(
    id: string,
    owner: RoundOwner,
    failure: NotificationFailure,
  ): Promise<StepFailure> {
    const k = this.keys(id);
    const r = (await this.scripts.failStep!(
      k.record,
      k.attempts,
      owner.token,
      now(),
      this.ttl,
      list(TRANSITIONS.failed.from),
      JSON.stringify(failure),
      owner.step,
      ...nextStep(),
    )) as [number, ...string[]];
    return stepFailure(r);
  }

  /**
   * The job `lockKey` belongs to failed for good: a record it left `queued` or `sending` becomes
   * `failed` (re-drivable). `lockKey` '' for none. True when it did.
   */
  async failOrphan(
    id: string,
    lockKey: string,
    failure: NotificationFailure,
    step = 0,
  ): Promise<StepFailure> {
    const k = this.keys(id);
    const r = (await this.scripts.orphan!(
      k.record,
      k.attempts,
      // No job (a re-drive that could not be queued): the record's key, which no round's lock
      // equals; a cluster refuses an empty key name, which hashes to another slot.
      lockKey === '' ? k.record : lockKey,
      JSON.stringify(failure),
      now(),
      this.ttl,
      list(TRANSITIONS.orphaned.from),
      INTERRUPTED_DETAIL,
      step,
      ...nextStep(),
    )) as [number, ...string[]];
    return stepFailure(r);
  }

  /** The step a notification is at and its status; undefined when the record is gone. */
  async currentStep(id: string): Promise<
    | {
        step: number;
        status: NotificationStatus;
        more: boolean;
        fallbackAfterMs?: number;
        startedAt?: string;
      }
    | undefined
  > {
    const [status, step, fallback, fallbackAfterMs, route] = await this.redis.client.hmget(
      this.keys(id).record,
      'status',
      'step',
      'fallback',
      'fallbackAfterMs',
      'route',
    );
    if (!status) return undefined;
    const at = Number(step ?? 0);
    const steps = fallback ? (JSON.parse(fallback) as { suppressed?: boolean }[]) : [];
    const entries = route ? (JSON.parse(route) as { step: number; startedAt: string }[]) : [];
    const startedAt = entries.find((e) => e.step === at)?.startedAt;
    return {
      step: at,
      status: status as NotificationStatus,
      // A later step intake found suppressed is passed over (see advance in the scripts).
      more: steps.slice(at).some((s) => !s.suppressed),
      ...(fallbackAfterMs ? { fallbackAfterMs: Number(fallbackAfterMs) } : {}),
      ...(startedAt ? { startedAt } : {}),
    };
  }

  /** `POST /retry`: a failed notification back to `queued`, a re-drive marker in its history. */
  async redrive(id: string): Promise<'requeued' | 'not_failed' | 'not_found' | 'rejected'> {
    const k = this.keys(id);
    const r = await this.scripts.redrive!(
      k.record,
      k.attempts,
      now(),
      this.ttl,
      list(TRANSITIONS.redrive.from),
    );
    switch (r) {
      case 1:
        return 'requeued';
      case 2:
        return 'rejected';
      case -1:
        return 'not_found';
      default:
        return 'not_failed';
    }
  }

  /**
   * `POST /cancel`: a notification no round is sending becomes `cancelled`, for good. A round
   * that starts later finds it so and sends nothing; a record being sent is not cancelled.
   */
  async cancel(
    id: string,
  ): Promise<
    { kind: 'cancelled' } | { kind: 'not_found' } | { kind: 'not_cancellable'; status: string }
  > {
    const r = (await this.scripts.cancel!(
      this.keys(id).record,
      now(),
      this.ttl,
      list(TRANSITIONS.cancel.from),
      TRANSITIONS.cancel.to,
    )) as [string, string?];
    if (r[0] === 'cancelled') return { kind: 'cancelled' };
    if (r[0] === 'gone') return { kind: 'not_found' };
    return { kind: 'not_cancellable', status: r[1] ?? 'unknown' };
  }

  private async endRound(
    id: string,
    owner: RoundOwner,
    transition: { from: readonly NotificationStatus[]; to: NotificationStatus },
    fields: string[],
  ): Promise<boolean> {
    const r = await this.scripts.end!(
      this.keys(id).record,
      owner.token,
      transition.to,
      now(),
      this.ttl,
      list(transition.from),
      owner.step,
      ...fields,
    );
    return r === 1;
  }
}

const now = () => new Date().toISOString();

/** A script's `{from, to, step, more, fallbackAfterMs}` tail as a {@link StepAdvance}. */
function stepAdvance(r: readonly string[], reason: FallbackReason): StepAdvance {
  const [from, to, step, more, afterMs] = r;
  return {
    fromChannel: from as ChannelKind,
    toChannel: to as ChannelKind,
    step: Number(step),
    more: more === '1',
    ...(afterMs ? { fallbackAfterMs: Number(afterMs) } : {}),
    reason,
  };
}

function stepFailure(r: readonly [number, ...string[]]): StepFailure {
  if (r[0] === 2)
    return { kind: 'advanced', advanced: stepAdvance(r.slice(1) as string[], 'failed') };
  return r[0] === 1 ? { kind: 'failed' } : { kind: 'lost' };
}
const list = (states: readonly string[]) => states.join(',');
/** The script arguments of {@link TRANSITIONS}.nextStep: its from states and its status. */
const nextStep = () => [list(TRANSITIONS.nextStep.from), TRANSITIONS.nextStep.to];
