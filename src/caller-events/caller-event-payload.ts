import type { CallerEventStatus, CallerEventType } from '../contracts/caller-event';
import type { NotificationRecord } from '../contracts/notification-record';

/** What a caller's endpoint receives: the body of every try of one event. */
export interface CallerEventPayload {
  readonly type: CallerEventType;
  /** The event's id, also its `webhook-id` header. */
  readonly id: string;
  /** ISO 8601: when the notification moved to this status. */
  readonly timestamp: string;
  readonly data: {
    /** The notification id (as `POST /v1/notifications` answered it). */
    readonly id: string;
    readonly status: CallerEventStatus;
    readonly channel?: string;
    readonly provider?: string;
    readonly providerMessageId?: string;
    /** Masked, as the record shows it (`a***@example.com`). */
    readonly recipient?: string;
    readonly metadata?: Readonly<Record<string, string>>;
    readonly failure?: NotificationRecord['failure'];
    readonly createdAt?: string;
    /** The time of this event's status change. */
    readonly updatedAt: string;
    readonly sendAt?: string;
    readonly sentAt?: string;
    readonly deliveredAt?: string;
    readonly failedAt?: string;
    readonly cancelledAt?: string;
  };
}

/**
 * The payload of the event `eventId`: the notification moved to `status` at `at`. Built from
 * the record as it is when the event is queued (which may have moved on since: the status and
 * time are the event's own); a record already gone leaves the notification id, status and time.
 */
export function callerEventPayload(
  eventId: string,
  status: CallerEventStatus,
  at: Date,
  notificationId: string,
  record: NotificationRecord | undefined,
): CallerEventPayload {
  const timestamp = at.toISOString();
  const r = record;
  return {
    type: `notification.${status}`,
    id: eventId,
    timestamp,
    data: {
      id: notificationId,
      status,
      ...(r
        ? {
            channel: r.channel,
            ...(r.provider ? { provider: r.provider } : {}),
            ...(r.providerMessageId ? { providerMessageId: r.providerMessageId } : {}),
            recipient: r.to,
            ...(r.metadata ? { metadata: r.metadata } : {}),
            ...(status === 'failed' && r.failure ? { failure: r.failure } : {}),
            createdAt: r.createdAt,
          }
        : {}),
      updatedAt: timestamp,
      ...(r?.sendAt ? { sendAt: r.sendAt } : {}),
      ...(r?.sentAt ? { sentAt: r.sentAt } : {}),
      ...(r?.deliveredAt ? { deliveredAt: r.deliveredAt } : {}),
      ...(r?.failedAt ? { failedAt: r.failedAt } : {}),
      ...(r?.cancelledAt ? { cancelledAt: r.cancelledAt } : {}),
    },
  };
}
