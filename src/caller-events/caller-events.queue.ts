import type { CallerEventType } from '../contracts/caller-event';

/** The BullMQ queue (under Herald's key prefix) of events waiting to be posted to callers. */
export const CALLER_EVENTS_QUEUE = 'caller-events';

/** The backoff type of its jobs: the wait before retry n is HERALD_EVENT_RETRY_SCHEDULE_MS[n-1]. */
export const CALLER_EVENT_BACKOFF = 'caller-event-schedule';

/** A job of {@link CALLER_EVENTS_QUEUE}: one event for one caller, its payload fixed when queued. */
export interface CallerEventJobData {
  /** Also the job id and the `webhook-id` of every try. */
  readonly eventId: string;
  readonly caller: string;
  readonly type: CallerEventType;
  readonly notificationId: string;
  /** The endpoint's generation when the event was queued (see `EventEndpointStore`). */
  readonly generation: number;
  /** The JSON body posted, the same bytes on every try. */
  readonly payload: string;
}

/**
 * The id of the event an outbox entry records: stable for that entry, so a relay that runs
 * again after a crash queues the same job id (a no-op) rather than a second event. BullMQ
 * job ids may not contain `:`; notification ids and stream ids do not.
 */
export function callerEventId(notificationId: string, streamId: string): string {
  return `evt_${notificationId}_${streamId}`;
}
