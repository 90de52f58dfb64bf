import { z } from 'zod';
import { type MessageLimits, notificationSchemas } from './notification-message.schema';

/** `$id` of the exported schema; stable, so producers may pin it. */
export const NOTIFICATION_JSON_SCHEMA_ID = 'urn:herald:schema:notification-job:v1';

/**
 * The JSON Schema of a queue job (the message of DESIGN §3 plus `idempotencyKey`), generated
 * from the one zod schema, for producers written in other languages. Checks zod runs in code
 * (at least one of text/html, the recipient total, byte limits) are described, not encoded;
 * Herald still enforces them and names the field when it refuses a job.
 */
export function notificationJsonSchema(limits: MessageLimits): Record<string, unknown> {
  const generated = z.toJSONSchema(notificationSchemas(limits).job, { io: 'input' });
  // zod writes the job as anyOf [content forms, templated forms]. The two are exclusive (strict
  // objects, only the templated one has `template`), so producers get one flat oneOf instead.
  const { $schema, anyOf, ...rest } = generated as typeof generated & {
    anyOf: { oneOf: unknown[] }[];
  };
  return {
    $schema,
    $id: NOTIFICATION_JSON_SCHEMA_ID,
    title: 'Herald notification',
    description:
      'A notification for Herald: the body of POST /v1/notifications, or the data of a "send" job ' +
      "on Herald's BullMQ queue (where `idempotencyKey` may also be set; over REST it is the " +
      `Idempotency-Key header). Also enforced: e-mail needs text or html, chat needs text or blocks; ` +
      `to, cc and bcc together hold at most ${limits.maxRecipients} addresses; text and html are ` +
      `at most ${limits.maxBodyBytes} bytes of UTF-8; subjects are one line. Instead of its ` +
      'content a message may name a `template` with its `data` (and a `locale`): Herald checks ' +
      "the data against the template's own schema (GET /v1/templates) and renders the content.",
    ...rest,
    oneOf: anyOf.flatMap((form) => form.oneOf),
  };
}
