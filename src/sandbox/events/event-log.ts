import type { EventProvider } from './event-kinds';
import type { OutboundEvent, OutboundRequest } from './outbound-event';

/** One delivery attempt of an event. */
export interface EventAttempt {
  /** ISO 8601 time the attempt started. */
  readonly at: string;
  /** HTTP status of the answer, when there was one. */
  readonly status?: number;
  /** Why there was no answer (deadline, refused connection…). */
  readonly error?: string;
}

/**
 * What the simulator did with one copy of one event: `pending` while queued or being tried,
 * `delivered` once answered 2xx, `failed` when every retry was spent, `dropped` when the
 * queue was full, `skipped` when it could not be sent (e.g. an unconfirmed SNS subscription).
 */
export interface EventRecord extends Omit<OutboundEvent, 'build'> {
  /** 1 for the first delivery, up to the webhook's `repeat` for the copies. */
  readonly copy: number;
  status: 'pending' | 'delivered' | 'failed' | 'dropped' | 'skipped';
  /** Why it was dropped or skipped. */
  reason?: string;
  readonly attempts: EventAttempt[];
  /** The request as sent (set when first built). */
  request?: OutboundRequest;
}

/** Narrows `ProviderSimulator.events()`; every given field must match. */
export interface EventFilter {
  readonly provider?: EventProvider;
  readonly messageId?: string;
  readonly notificationId?: string;
  readonly kind?: string;
  readonly status?: EventRecord['status'];
}

/** The last `capacity` event records, newest first; memory stays bounded. */
export class EventLog {
  private records: EventRecord[] = [];

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`the event log size must be a whole number ≥ 1, got ${capacity}`);
    }
  }

  add(event: OutboundEvent, copy: number): EventRecord {
    const { build: _build, ...fields } = event;
    const record: EventRecord = { ...fields, copy, status: 'pending', attempts: [] };
    this.records.push(record);
    if (this.records.length > this.capacity) this.records.shift();
    return record;
  }

  list(filter: EventFilter = {}): EventRecord[] {
    return this.records
      .filter(
        (r) =>
          (filter.provider === undefined || r.provider === filter.provider) &&
          (filter.messageId === undefined || r.messageId === filter.messageId) &&
          (filter.notificationId === undefined || r.notificationId === filter.notificationId) &&
          (filter.kind === undefined || r.kind === filter.kind) &&
          (filter.status === undefined || r.status === filter.status),
      )
      .reverse();
  }

  clear(): void {
    this.records = [];
  }
}
