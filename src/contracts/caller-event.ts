import type { NotificationStatus } from './notification-record';

/**
 * The statuses a caller hears about: each transition into one of them is an event
 * (`notification.<status>`) for the notification's caller. The others (`queued`, `sending`,
 * `scheduled`) are Herald's business.
 */
export const CALLER_EVENT_STATUSES = [
  'sent',
  'delivered',
  'bounced',
  'complained',
  'undelivered',
  'failed',
  'suppressed',
  'cancelled',
] as const satisfies readonly (NotificationStatus | 'suppressed')[];
export type CallerEventStatus = (typeof CALLER_EVENT_STATUSES)[number];

/** The event types a caller may subscribe to: `notification.sent` … `notification.cancelled`. */
export const CALLER_EVENT_TYPES = CALLER_EVENT_STATUSES.map(
  (status) => `notification.${status}` as const,
);
export type CallerEventType = `notification.${CallerEventStatus}`;

/**
 * Redis key parts (under Herald's prefix) shared by the lifecycle scripts, which write the
 * outbox in the same step as a status change, and the caller-events feature, which reads it:
 * `<prefix>:cevt:outbox` (a stream) and `<prefix>:cevt:ep:<caller>` (a caller's endpoint, a hash).
 */
export const CALLER_EVENT_KEYS = { outbox: 'cevt:outbox', endpoint: 'cevt:ep' } as const;

/**
 * One outbox entry, as the lifecycle scripts write it (stream fields): notification id `n`,
 * its caller `c`, the status it moved to `s`, and when (`t`, epoch ms of Redis's clock).
 * The event's id is derived from the entry's stream id, so every reader of the entry names the
 * event alike (see the caller-events feature).
 */
export interface CallerEventOutboxEntry {
  readonly n: string;
  readonly c: string;
  readonly s: CallerEventStatus;
  readonly t: string;
}
