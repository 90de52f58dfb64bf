import { z } from 'zod';
import { fieldsOf, stringList } from '../simulated-endpoint';
import type { ProviderContract } from './provider-contract';

/*
 * Mailgun `POST /v3/{domain_name}/messages` (multipart form). Mailgun publishes no
 * description in the repository-friendly form SendGrid and Twilio do; sources:
 * [API]   Mailgun API reference, Messages › Send an email
 *         (https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Messages/).
 * [TAGS]  Mailgun user manual, Tagging
 *         (https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/track-tagging).
 * [BATCH] Mailgun user manual, Batch Sending: at most 1,000 recipients per call
 *         (https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/batch-sending).
 * Errors are `{message}`, one problem at a time, with Mailgun's wording where it is known.
 */

/** [TAGS] "A single message may be marked with up to 3 tags." */
export const MAILGUN_MAX_TAGS = 3;
/** [TAGS] "The maximum length of characters is 128." */
export const MAILGUN_MAX_TAG_CHARS = 128;
/** [BATCH] recipients (to, cc and bcc) per call. */
export const MAILGUN_MAX_RECIPIENTS = 1000;

/** A form field sent once or repeated. */
const field = z.union([z.string(), z.array(z.string())]);

/** Mailgun takes several addresses per field, comma-separated, as well as repeated fields. */
const addresses = (fields: Record<string, unknown>, name: string) =>
  stringList(fields, name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);

const present = (value: unknown) =>
  (typeof value === 'string' && value !== '') ||
  (Array.isArray(value) && value.some((v) => typeof v === 'string' && v !== ''));

const schema = z
  .looseObject({
    // [API] from, to and subject are required (subject: unless a template sets one).
    from: z.string({ error: "'from' parameter is missing" }).min(1, "'from' parameter is missing"),
    to: field.optional(),
    subject: z.string().optional(),
    text: z.string().optional(),
    html: z.string().optional(),
    'amp-html': z.string().optional(),
    template: z.string().optional(),
    cc: field.optional(),
    bcc: field.optional(),
    // [TAGS] at most 3 tags, each ASCII and at most 128 characters.
    'o:tag': field
      .transform((t) => (Array.isArray(t) ? t : [t]))
      .pipe(
        z
          .array(
            z
              .string()
              .max(MAILGUN_MAX_TAG_CHARS, `Tag is longer than ${MAILGUN_MAX_TAG_CHARS} characters`)
              // eslint-disable-next-line no-control-regex -- the rule is "ASCII only"
              .regex(/^[\x00-\x7F]*$/, 'Tag must be ASCII only'),
          )
          .max(MAILGUN_MAX_TAGS, `Too many tags: at most ${MAILGUN_MAX_TAGS} per message`),
      )
      .optional(),
  })
  .superRefine((fields, ctx) => {
    if (!present(fields.to)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: "'to' parameter is missing" });
    }
    // [API] subject is required unless a stored template provides one.
    if (!present(fields.subject) && !present(fields.template)) {
      ctx.addIssue({
        code: 'custom',
        path: ['subject'],
        message: "'subject' parameter is missing",
      });
    }
    // [API] a body: text, html, amp-html or a template.
    if (!['text', 'html', 'amp-html', 'template'].some((k) => present(fields[k]))) {
      ctx.addIssue({
        code: 'custom',
        path: ['text'],
        message: "Need at least one of 'text', 'html' or 'template' parameters specified",
      });
    }
    const count = ['to', 'cc', 'bcc'].reduce((n, k) => n + addresses(fields, k).length, 0);
    if (count > MAILGUN_MAX_RECIPIENTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `Too many recipients: at most ${MAILGUN_MAX_RECIPIENTS} per message`,
      });
    }
  });

export const mailgunContract: ProviderContract = {
  provider: 'mailgun',
  call: 'POST /v3/{domain_name}/messages',
  input: (request) => fieldsOf(request.body),
  schema,
  // [API] a 400 is `{message}`; Mailgun reports the first problem only.
  refuse: (violations) => ({ status: 400, body: { message: violations[0]!.message } }),
};
