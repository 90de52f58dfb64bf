import type { ChannelErrorClass } from './channel-error-class';
import type { ChannelKind, ProviderName } from '../config/config.schema';

export const NOTIFICATION_STATUSES = [
  'queued',
  'sending',
  'sent',
  'delivered',
  'bounced',
  'complained',
  'undelivered',
  'failed',
  'cancelled',
  'scheduled',
] as const;
/**
 * `queued → sending → sent | failed`, then what the provider's events say: `delivered`,
 * `bounced`, `undelivered`, `complained`. A chat message is `delivered` as soon as Slack says
 * ok. A failed notification may be re-driven to `queued`; one no round is sending may be
 * `cancelled` (for good). One with a `sendAt` is `scheduled` until its first round starts, at
 * that time. Records accepted before `sent` existed say `delivered` from acceptance.
 */
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** The kinds of provider delivery event Herald records. */
export const PROVIDER_EVENT_TYPES = [
  'sent',
  'delivered',
  'deferred',
  'bounced',
  'complained',
  'undelivered',
  'unsubscribed',
] as const;
export type ProviderEventType = (typeof PROVIDER_EVENT_TYPES)[number];

/** One delivery event a provider reported about a notification, in the order received. */
export interface ProviderEvent {
  readonly type: ProviderEventType;
  readonly provider: ProviderName;
  /** ISO 8601: when the provider says it happened. */
  readonly at: string;
  /** Short and safe: a provider's code or reason, never a recipient nor the body. */
  readonly detail?: string;
  /** The route step whose message it is about (only on a notification with fallback steps). */
  readonly step?: number;
}

/**
 * One recipient of an e-mail sent to several, as its provider's events left it: `sent` until
 * an event names it.
 */
export interface RecipientState {
  /** Masked, as `to`. */
  readonly to: string;
  readonly status: 'sent' | 'delivered' | 'bounced' | 'complained' | 'undelivered';
  /** ISO 8601: when the provider says the state was reached (`sentAt` for `sent`). */
  readonly at: string;
}

/** One provider call (or a provider skipped at no cost) while delivering a notification. */
export interface DeliveryAttempt {
  readonly provider: ProviderName;
  /** ISO 8601. */
  readonly at: string;
  /**
   * `sent`: the provider accepted the call (what became of the message is the record's status
   * and events). Attempts written before this outcome existed said `delivered`; they read as `sent`.
   */
  readonly outcome: 'sent' | 'failed' | 'skipped';
  readonly errorClass?: ChannelErrorClass;
  /** Short and safe: never a secret nor the message body. */
  readonly detail?: string;
  readonly latencyMs: number;
  /** True when the request may have reached the provider although Herald saw a failure. */
  readonly ambiguous: boolean;
  /** Delivery round (1-based); each retry of the whole order is a new round. */
  readonly round: number;
  /** The route step it delivered (only on a notification with fallback steps). */
  readonly step?: number;
}

/** Why a route step ended and the next fallback step started. */
export type RouteStepReason = 'failed' | 'bounced' | 'undelivered' | 'timeout' | 'suppressed';

/**
 * One step of a notification's route: the message itself (step 0) or one of its fallback
 * messages, in the order tried.
 */
export interface RouteStep {
  readonly step: number;
  readonly channel: ChannelKind;
  /** Masked, as the record's `to`. */
  readonly to: string;
  /**
   * The step's status: the notification's while it is the current step; once it ended, the
   * status it ended in (`failed`, `bounced`, `undelivered`, `suppressed`, or the unsent status
   * it was in when its time ran out).
   */
  readonly status: NotificationStatus | 'suppressed';
  /** Why the route moved on from it; absent on the current step. */
  readonly reason?: RouteStepReason;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly provider?: ProviderName;
  readonly providerMessageId?: string;
  readonly sentAt?: string;
  /** Why it failed, when it did. */
  readonly failure?: NotificationFailure;
}

/** Why a notification failed for good. */
export interface NotificationFailure {
  readonly errorClass: ChannelErrorClass | 'exhausted' | 'invalid';
  readonly detail: string;
}

/** A re-drive (`POST /retry`) in a notification's history. */
export interface RedriveMarker {
  /** ISO 8601. */
  readonly at: string;
  /** Rounds run before it; the next round is `afterRound + 1`. */
  readonly afterRound: number;
}

/** A notification as `GET /v1/notifications/:id` shows it. */
export interface NotificationRecord {
  readonly id: string;
  /** The API caller's name, or `queue:<name>` for jobs from producer services. */
  readonly caller: string;
  readonly channel: ChannelKind;
  /** Masked: enough to recognise, not enough to leak (`a***@example.com`). */
  readonly to: string;
  readonly status: NotificationStatus;
  readonly provider?: ProviderName;
  readonly providerMessageId?: string;
  readonly attempts: readonly DeliveryAttempt[];
  /** The provider's delivery events, in the order received (absent until the first). */
  readonly events?: readonly ProviderEvent[];
  /** Delivery rounds started so far, re-drives included. */
  readonly rounds: number;
  /** Each re-drive, in order; the attempts before it keep their rounds. */
  readonly redrives?: readonly RedriveMarker[];
  readonly metadata?: Readonly<Record<string, string>>;
  /** E-mail addresses left out at intake because they were suppressed, masked. */
  readonly suppressed?: readonly string[];
  /**
   * Each recipient's state, for an e-mail to more than one (to, cc and bcc), once sent. The
   * status is `bounced` or `undelivered` as soon as one recipient is, `complained` when one
   * complains, `delivered` only once every recipient is.
   */
  readonly recipients?: readonly RecipientState[];
  readonly failure?: NotificationFailure;
  /** ISO 8601 timestamps. */
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When a provider accepted it. */
  readonly sentAt?: string;
  readonly deliveredAt?: string;
  readonly failedAt?: string;
  readonly cancelledAt?: string;
  /** When a scheduled notification is (or was) to be sent, ISO 8601. */
  readonly sendAt?: string;
  /** When the next delivery round starts, while waiting out a backoff. */
  readonly nextAttemptAt?: string;
  /**
   * On a notification with fallback steps: the step being delivered (0 is the message
   * itself), and the route so far, one entry per step started. `status`, `provider`,
   * `providerMessageId`, `sentAt` and `failure` are the current step's.
   */
  readonly step?: number;
  readonly route?: readonly RouteStep[];
}
