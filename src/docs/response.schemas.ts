import { z } from 'zod';
import { CHANNEL_ERROR_CLASSES } from '../channels/channel-error';
import { CHANNEL_KINDS, PROVIDER_NAMES } from '../config/config.schema';
import { ERROR_CODES } from '../errors/error-code';
import type { AcceptedNotification } from '../notifications/notification-intake.service';
import {
  NOTIFICATION_STATUSES,
  PROVIDER_EVENT_TYPES,
  type NotificationRecord,
} from '../contracts/notification-record';

/**
 * zod schemas of the answers whose types are TypeScript interfaces elsewhere, so the OpenAPI
 * document is generated like the request schemas are. The compile-time checks at the bottom
 * fail the build when an interface and its schema drift apart, and the docs spec checks real
 * answers against these schemas.
 */

const isoTime = z.iso.datetime({ offset: true });

export const acceptedNotificationSchema = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'scheduled']),
    channel: z.enum(CHANNEL_KINDS),
    createdAt: isoTime,
    sendAt: isoTime.optional().describe('When a scheduled notification is to be sent.'),
    suppressed: z
      .array(z.string())
      .optional()
      .describe('E-mail addresses left out because they are on the suppression list, masked.'),
  })
  .describe('The notification was accepted and queued (or scheduled) for delivery.');

export const cancelledNotificationSchema = z
  .object({ id: z.string(), status: z.literal('cancelled') })
  .describe('The notification was cancelled: it will not be sent.');

export const batchResultsSchema = z
  .object({
    results: z.array(
      z.object({
        index: z.number().int().min(0).describe("The item's position in `items`."),
        status: z.number().int().describe('202 when accepted, else its problem status.'),
        id: z.string().optional(),
        replayed: z
          .literal(true)
          .optional()
          .describe('Its idempotencyKey replayed an earlier one.'),
        suppressed: z
          .array(z.string())
          .optional()
          .describe('E-mail addresses left out as suppressed, masked.'),
        problem: z
          .record(z.string(), z.unknown())
          .optional()
          .describe('The problem+json body it would have had alone.'),
      }),
    ),
  })
  .describe('One result per item, in order.');

export const retriedNotificationSchema = z
  .object({ id: z.string(), status: z.literal('queued') })
  .describe('The failed notification was queued for a new delivery.');

const deliveryAttemptSchema = z.object({
  provider: z.enum(PROVIDER_NAMES),
  at: isoTime,
  outcome: z
    .enum(['sent', 'failed', 'skipped'])
    .describe('sent: the provider accepted the call; the status says what became of it.'),
  errorClass: z.enum(CHANNEL_ERROR_CLASSES).optional(),
  detail: z.string().optional().describe('Short and safe: never a secret nor the message body.'),
  latencyMs: z.number().min(0),
  ambiguous: z
    .boolean()
    .describe('True when the request may have reached the provider although Herald saw a failure.'),
  round: z.number().int().min(1).describe('Delivery round (1-based).'),
  step: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('The route step it delivered (on a notification with fallback steps).'),
});

const failureSchema = z.object({
  errorClass: z.enum([...CHANNEL_ERROR_CLASSES, 'exhausted', 'invalid']),
  detail: z.string(),
});

const routeStepSchema = z.object({
  step: z.number().int().min(0).describe('0: the message itself; then its fallback steps.'),
  channel: z.enum(CHANNEL_KINDS),
  to: z.string().describe('Masked recipient.'),
  status: z
    .enum([...NOTIFICATION_STATUSES, 'suppressed'])
    .describe(
      "The current step's: the notification's status. An ended step's: the status it ended in " +
        '(failed, bounced, undelivered, suppressed, or the unsent one its time ran out in).',
    ),
  reason: z
    .enum(['failed', 'bounced', 'undelivered', 'timeout', 'suppressed'])
    .optional()
    .describe('Why the route moved on from it; absent on the current step.'),
  startedAt: isoTime,
  endedAt: isoTime.optional(),
  provider: z.enum(PROVIDER_NAMES).optional(),
  providerMessageId: z.string().optional(),
  sentAt: isoTime.optional(),
  failure: failureSchema.optional(),
});

export const notificationRecordSchema = z
  .object({
    id: z.string(),
    caller: z.string().describe('The API caller, or queue:<name> for producer jobs.'),
    channel: z.enum(CHANNEL_KINDS),
    to: z.string().describe('Masked recipient.'),
    status: z.enum(NOTIFICATION_STATUSES),
    provider: z.enum(PROVIDER_NAMES).optional(),
    providerMessageId: z.string().optional(),
    attempts: z.array(deliveryAttemptSchema),
    events: z
      .array(
        z.object({
          type: z.enum(PROVIDER_EVENT_TYPES),
          provider: z.enum(PROVIDER_NAMES),
          at: isoTime,
          detail: z.string().optional(),
          step: z
            .number()
            .int()
            .min(0)
            .optional()
            .describe('The route step whose message it is about (with fallback steps).'),
        }),
      )
      .optional()
      .describe("The provider's delivery events, in the order received."),
    rounds: z.number().int().min(0).describe('Delivery rounds started so far, re-drives included.'),
    redrives: z
      .array(z.object({ at: isoTime, afterRound: z.number().int().min(0) }))
      .optional()
      .describe('Each POST /retry, in order; the next round after one is afterRound + 1.'),
    metadata: z.record(z.string(), z.string()).optional(),
    suppressed: z
      .array(z.string())
      .optional()
      .describe('E-mail addresses left out at intake because they were suppressed, masked.'),
    recipients: z
      .array(
        z.object({
          to: z.string().describe('Masked recipient.'),
          status: z.enum(['sent', 'delivered', 'bounced', 'complained', 'undelivered']),
          at: isoTime.describe('When it reached the state (sentAt for sent).'),
        }),
      )
      .optional()
      .describe(
        'Each recipient of an e-mail to several, once sent. The status is bounced or ' +
          'undelivered as soon as one is, complained when one complains, delivered once all are.',
      ),
    failure: failureSchema.optional(),
    createdAt: isoTime,
    updatedAt: isoTime,
    sentAt: isoTime.optional().describe('When a provider accepted it.'),
    deliveredAt: isoTime.optional(),
    failedAt: isoTime.optional(),
    cancelledAt: isoTime.optional(),
    sendAt: isoTime.optional(),
    nextAttemptAt: isoTime.optional(),
    step: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('With fallback steps: the step being delivered (0 is the message itself).'),
    route: z
      .array(routeStepSchema)
      .optional()
      .describe(
        'With fallback steps: each step started, in order. The status, provider and failure ' +
          "at the record's top level are the current step's.",
      ),
  })
  .describe('A notification: its status and every delivery attempt (never its message).');

export const notificationPageSchema = z
  .object({
    items: z.array(notificationRecordSchema.omit({ attempts: true, redrives: true })),
    nextCursor: z
      .string()
      .optional()
      .describe('Pass as cursor for the next page; absent on the last.'),
  })
  .describe('A page of notifications, newest first.');

/** What `GET /v1/notifications/:id` answers: the record, marked in sandbox mode. */
export const notificationRecordAnswerSchema = notificationRecordSchema.extend({
  sandbox: z
    .literal(true)
    .optional()
    .describe(
      'Present, and true, in sandbox mode: every provider is the simulator and nothing reached a real recipient.',
    ),
});

/** RFC 9457 problem details, as `ProblemFilter` writes them. */
export const problemSchema = z
  .object({
    type: z.string().describe('urn:herald:error:<code>'),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(ERROR_CODES).describe('Stable: callers may branch on it.'),
    detail: z.string(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('Every bad field, for validation_failed.'),
  })
  .describe('An error (application/problem+json).');

export const livenessSchema = z.object({ status: z.literal('ok') });

const indicatorsSchema = z.record(
  z.string(),
  z.looseObject({ status: z.string(), message: z.string().optional() }),
);
export const readinessSchema = z
  .object({
    status: z.enum(['ok', 'error', 'shutting_down']),
    info: indicatorsSchema.optional(),
    error: indicatorsSchema.optional(),
    details: indicatorsSchema,
    sandbox: z
      .literal(true)
      .optional()
      .describe(
        'Present, and true, in sandbox mode: every provider is the simulator and nothing reached a real recipient.',
      ),
  })
  .describe('@nestjs/terminus health check result: redis and, where jobs are taken, queue.');

/** Readonly stripped at every depth: interfaces say readonly, zod's inferred types do not. */
type Writable<T> = T extends readonly (infer U)[]
  ? Writable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Writable<T[K]> }
    : T;
/** True when each type is assignable to the other, readonly aside. */
type Same<A, B> = [Writable<A>] extends [Writable<B>]
  ? [Writable<B>] extends [Writable<A>]
    ? true
    : false
  : false;
const schemasMatchTypes: [
  Same<z.infer<typeof acceptedNotificationSchema>, AcceptedNotification>,
  Same<z.infer<typeof notificationRecordSchema>, NotificationRecord>,
] = [true, true];
void schemasMatchTypes;
