import { z } from 'zod';
import { type ProviderContract, utf8Bytes } from './provider-contract';

/*
 * SendGrid v3 `POST /v3/mail/send`. Sources, cited beside each rule:
 * [OAS]    SendGrid's OpenAPI description (sendgrid/sendgrid-oai, oai_v3_stoplight.json,
 *          path `/mail/send`, request body schema).
 * [ERRORS] SendGrid's Mail Send error reference
 *          (https://www.twilio.com/docs/sendgrid/api-reference/mail-send/errors).
 */

/** [OAS] `personalizations` maxItems 1000; [ERRORS] "limited to 1000 personalizations". */
export const SENDGRID_MAX_PERSONALIZATIONS = 1000;
/** [ERRORS] "There is a limit of 1000 total recipients (to + cc + bcc) per request." */
export const SENDGRID_MAX_RECIPIENTS = 1000;
/**
 * [OAS] `personalizations[].custom_args`: "The combined size of both global and
 * personalization custom arguments may not exceed 10,000 bytes per personalization",
 * counted here as the UTF-8 bytes of their JSON.
 */
export const SENDGRID_MAX_CUSTOM_ARGS_BYTES = 10_000;
/** [OAS] `categories` maxItems 10, each maxLength 255. */
export const SENDGRID_MAX_CATEGORIES = 10;

/**
 * [OAS] from/to/cc/bcc/reply_to email objects: `email` required string, `name` string. The
 * address syntax (`format: email`) is checked by the endpoint, with SendGrid's own messages.
 */
const emailObject = z.looseObject({ email: z.string(), name: z.string().optional() });

/** [OAS] a string-to-string map ("Key/value pairs must be strings"). */
const stringMap = z.record(z.string(), z.string());

const customArgsBytes = (personal: unknown, global: unknown) =>
  (personal === undefined ? 0 : utf8Bytes(JSON.stringify(personal))) +
  (typeof global === 'string' ? utf8Bytes(global) : 0);

const personalization = z.looseObject({
  // [OAS] `to` is the one required field of a personalization; [ERRORS] "The to array is
  // required for all personalization objects, and must have at least one email object".
  to: z.array(emailObject).min(1, 'The to array must have at least one email object.'),
  // [OAS] cc, bcc maxItems 1000.
  cc: z.array(emailObject).max(SENDGRID_MAX_RECIPIENTS).optional(),
  bcc: z.array(emailObject).max(SENDGRID_MAX_RECIPIENTS).optional(),
  from: emailObject.optional(),
  // [OAS] subject minLength 1.
  subject: z.string().min(1).optional(),
  headers: stringMap.optional(),
  substitutions: z.record(z.string(), z.unknown()).optional(),
  dynamic_template_data: z.record(z.string(), z.unknown()).optional(),
  // [OAS] `personalizations[].custom_args` is an object (values strings, per the prose).
  custom_args: stringMap.optional(),
  // [OAS] send_at integer (unix time).
  send_at: z.number().int().optional(),
});

const content = z.looseObject({
  // [OAS] content[].type and value: required strings, minLength 1.
  type: z.string().min(1),
  value: z.string().min(1, 'The content value must be a string at least one character in length.'),
});

const schema = z
  .looseObject({
    // [OAS] required: personalizations, from, subject, content.
    personalizations: z
      .array(personalization)
      .min(1, 'The personalizations field is required and must have at least one personalization.')
      .max(SENDGRID_MAX_PERSONALIZATIONS),
    from: emailObject,
    reply_to: emailObject.optional(),
    // [OAS] reply_to_list maxItems 1000.
    reply_to_list: z.array(emailObject).max(1000).optional(),
    // [OAS] subject minLength 1.
    subject: z.string().min(1),
    // [OAS] "you must specify at least one MIME type".
    content: z.array(content).min(1),
    attachments: z
      .array(
        z.looseObject({
          // [OAS] attachments[]: content (minLength 1) and filename required.
          content: z.string().min(1),
          filename: z.string(),
          type: z.string().min(1).optional(),
          // [OAS] disposition enum.
          disposition: z.enum(['inline', 'attachment']).optional(),
          content_id: z.string().optional(),
        }),
      )
      .optional(),
    template_id: z.string().optional(),
    headers: stringMap.optional(),
    // [OAS] categories: unique, maxItems 10, each maxLength 255.
    categories: z
      .array(z.string().max(255))
      .max(SENDGRID_MAX_CATEGORIES)
      .refine((c) => new Set(c).size === c.length, 'Categories must be unique.')
      .optional(),
    // [OAS] the top-level `custom_args` is typed `string` (unlike the personalization's object).
    custom_args: z.string().optional(),
    // [OAS] send_at integer; batch_id string; ip_pool_name 2–64 characters.
    send_at: z.number().int().optional(),
    batch_id: z.string().optional(),
    ip_pool_name: z.string().min(2).max(64).optional(),
  })
  .superRefine((body, ctx) => {
    // [ERRORS] "1000 total recipients (to + cc + bcc) per request".
    const recipients = body.personalizations.reduce(
      (n, p) => n + p.to.length + (p.cc?.length ?? 0) + (p.bcc?.length ?? 0),
      0,
    );
    if (recipients > SENDGRID_MAX_RECIPIENTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['personalizations'],
        message: `There is a limit of ${SENDGRID_MAX_RECIPIENTS} total recipients (to + cc + bcc) per request.`,
      });
    }
    // [OAS] `reply_to` and `reply_to_list` are mutually exclusive.
    if (body.reply_to !== undefined && body.reply_to_list !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['reply_to_list'],
        message: 'reply_to is mutually exclusive with reply_to_list.',
      });
    }
    body.personalizations.forEach((p, i) => {
      if (customArgsBytes(p.custom_args, body.custom_args) > SENDGRID_MAX_CUSTOM_ARGS_BYTES) {
        ctx.addIssue({
          code: 'custom',
          path: ['personalizations', i, 'custom_args'],
          message: `The combined size of global and personalization custom arguments may not exceed ${SENDGRID_MAX_CUSTOM_ARGS_BYTES} bytes per personalization.`,
        });
      }
    });
  });

/** SendGrid's help links name the field: `…/errors.html#message.<field>`. */
const HELP = 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message';

export const sendgridContract: ProviderContract = {
  provider: 'sendgrid',
  call: 'POST /v3/mail/send',
  input: (request) => request.body,
  schema,
  // [OAS] 400 is `{errors: [{message, field, help}]}`; SendGrid lists every problem at once.
  refuse: (violations) => ({
    status: 400,
    body: {
      errors: violations.map((v) => ({
        message: v.message,
        field: v.field,
        help: `${HELP}.${v.field.replace(/\.\d+/g, '')}`,
      })),
    },
  }),
};
