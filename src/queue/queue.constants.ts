/** Injection name of the notifications queue (`@InjectQueue(NOTIFICATIONS_QUEUE)`); the real name is `HERALD_QUEUE_NAME`. */
export const NOTIFICATIONS_QUEUE = 'notifications';

/** The public job name producers in other services use (DESIGN §5): data is a message plus an optional `idempotencyKey`. */
export const SEND_JOB = 'send';

/** Herald's own job for a notification already accepted over REST: data is `{ notificationId }`. */
export const DELIVER_JOB = 'deliver';

/** Data of a {@link DELIVER_JOB}. */
export interface DeliverJobData {
  readonly notificationId: string;
}
