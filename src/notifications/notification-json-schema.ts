import { z } from 'zod';
import {
  keepExamples,
  MAX_CHAT_TEXT_UNITS,
  MAX_METADATA_JSON_BYTES,
  MAX_SMS_UNITS,
  type MessageLimits,
  notificationSchemas,
} from './notification-message.schema';

/** `$id` of the exported schema; stable, so producers may pin it. */
export const NOTIFICATION_JSON_SCHEMA_ID = 'urn:herald:schema:notification-job:v1';

/**
 * The JSON Schema of a queue job (a message plus `idempotencyKey`), generated from the one zod
 * schema, for producers written in other languages. Every rule JSON Schema can state is stated
 * (`anyOf` for text-or-html, `uniqueItems`, `maxProperties`, a one-line `pattern`); the few it
 * cannot (a total over three arrays, UTF-8 bytes, UTF-16 units) are in the descriptions, and the `maxLength`
 * beside a byte or unit limit is one that limit implies, so nothing the schema forbids is accepted.
 */
export function notificationJsonSchema(limits: MessageLimits): Record<string, unknown> {
  const { $schema, ...rest } = messageFormsJsonSchema(notificationSchemas(limits).job);
  return {
    $schema,
    $id: NOTIFICATION_JSON_SCHEMA_ID,
    title: 'Herald notification',
    description:
      'A notification for Herald: the body of POST /v1/notifications, or the data of a "send" job ' +
      "on Herald's BullMQ queue (where `idempotencyKey` may also be set; over REST it is the " +
      'Idempotency-Key header). Rules JSON Schema cannot state, which Herald also enforces: ' +
      `to, cc and bcc together hold at most ${limits.maxRecipients} addresses; text and html ` +
      `(chat text too) are at most ${limits.maxBodyBytes} bytes of UTF-8; an SMS text is at ` +
      `most ${MAX_SMS_UNITS} UTF-16 code units, as Twilio counts, and a chat text at most ` +
      `${MAX_CHAT_TEXT_UNITS}, as Slack takes (maxLength bounds the characters of each); ` +
      `metadata is at most ${MAX_METADATA_JSON_BYTES} bytes as JSON; ` +
      'a `sendAt` must be in the future and at most ' +
      `${limits.maxScheduleAheadSeconds} s ahead when Herald accepts the message. ` +
      'Instead of its content a message may name a `template` with its `data` (and a `locale`): ' +
      "Herald checks the data against the template's own schema (GET /v1/templates) and renders the content. " +
      'Each message of `fallback` obeys the same rules as the message itself.',
    ...rest,
  };
}

/**
 * The JSON Schema of a content-or-template message schema (the REST body or the queue job).
 * zod writes it as anyOf [content forms, templated forms]; the two are exclusive (strict
 * objects, only the templated one has `template`), so readers get one flat oneOf of the six.
 */
export function messageFormsJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { anyOf, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    override: keepExamples,
  }) as Record<string, unknown> & { anyOf: { oneOf: unknown[] }[] };
  return { ...rest, oneOf: anyOf.flatMap((form) => form.oneOf) };
}
