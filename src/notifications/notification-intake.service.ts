import { Injectable } from '@nestjs/common';
import { HeraldError } from '../errors/herald-error';
import {
  type BatchItemResult,
  NotificationAcceptance,
  type RequestAcceptance,
} from './notification-acceptance';
import { NotificationLifecycle } from './notification-lifecycle';
import type { NotificationRecord } from '../contracts/notification-record';
import { NotificationRecordsRepository } from './notification-records.repository';

export type { AcceptedNotification, RequestAcceptance } from './notification-acceptance';

/** The REST side of notifications: accept a request, read a record, re-drive a failed one. */
@Injectable()
export class NotificationIntakeService {
  constructor(
    private readonly acceptance: NotificationAcceptance,
    private readonly records: NotificationRecordsRepository,
    private readonly lifecycle: NotificationLifecycle,
  ) {}

  /** See {@link NotificationAcceptance.acceptRequest}. */
  acceptRequest(
    caller: string,
    body: unknown,
    idempotencyKey?: string,
  ): Promise<RequestAcceptance> {
    return this.acceptance.acceptRequest(caller, body, idempotencyKey);
  }

  /** See {@link NotificationAcceptance.acceptBatch}. */
  acceptBatch(caller: string, body: unknown): Promise<BatchItemResult[]> {
    return this.acceptance.acceptBatch(caller, body);
  }

  /** The record of a notification; throws `not_found` when unknown or expired. */
  async get(id: string): Promise<NotificationRecord> {
    const record = isNotificationId(id) ? await this.records.get(id) : undefined;
    if (!record) throw notFound();
    return record;
  }

  /**
   * Re-drives a `failed` notification: back to `queued` and a new `deliver` job; its rounds keep
   * counting and the re-drive is marked in its history. Throws `not_found`,
   * `notification_not_retryable` when it is not failed, or `notification_rejected` when a
   * provider refused it for good (sending it again would only be refused again).
   */
  async retry(id: string): Promise<{ id: string; status: 'queued' }> {
    const outcome = isNotificationId(id) ? await this.lifecycle.redrive(id) : 'not_found';
    switch (outcome) {
      case 'not_found':
        throw notFound();
      case 'not_failed':
        throw new HeraldError(
          'notification_not_retryable',
          'Only a failed notification can be retried.',
        );
      case 'rejected':
        throw new HeraldError(
          'notification_rejected',
          'A provider refused this notification for good; sending it again would be refused again.',
        );
      case 'requeued':
        break;
    }
    let step = 0;
    try {
      // A notification with fallback steps is re-driven at the step it failed at, its last.
      step = (await this.lifecycle.currentStep(id))?.step ?? 0;
      await this.acceptance.enqueue(id, `${id}-r${Date.now()}`, 0, step);
    } catch (err) {
      // Without its job a `queued` record would wait forever: fail it again, re-drivable.
      await this.lifecycle
        .failOrphan(
          id,
          '',
          { errorClass: 'exhausted', detail: 'the re-drive could not be queued' },
          step,
        )
        .catch(() => undefined);
      throw err;
    }
    return { id, status: 'queued' };
  }

  /**
   * Cancels a notification no round is sending yet; its job is withdrawn or completes without
   * sending. Throws `not_found` or `notification_not_cancellable` (being sent, or finished).
   */
  async cancel(id: string): Promise<{ id: string; status: 'cancelled' }> {
    const outcome = isNotificationId(id)
      ? await this.lifecycle.cancel(id)
      : ({ kind: 'not_found' } as const);
    switch (outcome.kind) {
      case 'not_found':
        throw notFound();
      case 'not_cancellable':
        throw new HeraldError(
          'notification_not_cancellable',
          `The notification is ${outcome.status}: only one not yet being sent can be cancelled.`,
        );
      case 'cancelled':
        break;
    }
    this.acceptance.withdraw(id, await this.records.sourceJob(id).catch(() => undefined));
    return { id, status: 'cancelled' };
  }
}

/** Notification ids are UUIDs; anything else is not one, and need not reach Redis. */
function isNotificationId(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}

function notFound(): HeraldError {
  return new HeraldError('not_found', 'No such notification (unknown or expired).');
}
