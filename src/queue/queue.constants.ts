/** Injection name of the notifications queue (`@InjectQueue(NOTIFICATIONS_QUEUE)`); the real name is `HERALD_QUEUE_NAME`. */
export const NOTIFICATIONS_QUEUE = 'notifications';

/**
 * Entries BullMQ keeps in the queue's event stream (`<prefix>:<queue>:events`, trimmed
 * approximately). Herald reads none of them (the record holds each notification's story); the
 * stream is kept short because at BullMQ's default of 10,000 it holds about 1.6 MB, which a
 * deployment pays for nothing. A `QueueEvents` listener (a dashboard, a test) that falls more
 * than this many events behind misses the oldest. A producer's own `Queue` writes its own
 * setting (BullMQ's default unless it passes `streams.events.maxLen`) when it starts.
 */
export const QUEUE_EVENTS_MAX_LEN = 1_000;

/** The public job name producers in other services use: data is a message plus an optional `idempotencyKey`. */
export const SEND_JOB = 'send';

/** Herald's own job for a notification already accepted over REST: data is `{ notificationId }`. */
export const DELIVER_JOB = 'deliver';

/**
 * Herald's own job that ends a fallback step not sent within `fallbackAfterSeconds`: data is
 * {@link StepJobData}.
 */
export const FALLBACK_TIMER_JOB = 'fallback-timer';

/** Data of a {@link DELIVER_JOB}. */
export interface DeliverJobData {
  readonly notificationId: string;
  /** The fallback step it delivers; absent for the message itself (step 0). */
  readonly step?: number;
}

/** Data of a {@link FALLBACK_TIMER_JOB}: the step whose time runs out. */
export interface StepJobData {
  readonly notificationId: string;
  readonly step: number;
}

/**
 * The one field of a `send` job's data once Herald accepted it: the notification it created.
 * Herald replaces the producer's message with it, so the job keeps no body, and a run after the
 * first delivers that notification instead of accepting the message again.
 */
export const ACCEPTED_SEND_JOB_FIELD = 'heraldNotificationId';

/** BullMQ's key of a job's hash (its `data`, options and state fields). */
export function jobKey(queue: { prefix: string; name: string }, jobId: string): string {
  return `${queue.prefix}:${queue.name}:${jobId}`;
}

/** BullMQ's lock key of a job: it holds the lock token of the run that has the job. */
export function jobLockKey(queue: { prefix: string; name: string }, jobId: string): string {
  return `${jobKey(queue, jobId)}:lock`;
}
