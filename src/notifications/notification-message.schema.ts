import { z } from 'zod';
import type { HeraldConfig } from '../config/herald-config';
import { HeraldError, type FieldProblem } from '../errors/herald-error';

/** Limits a message is checked against; from configuration (`HERALD_MAX_*`). */
export type MessageLimits = HeraldConfig['limits'];

/** The defaults of `HERALD_MAX_*`, used for the JSON Schema file committed to the repo. */
export const DEFAULT_MESSAGE_LIMITS: MessageLimits = {
  maxRecipients: 50,
  maxSubjectChars: 998,
  maxBodyBytes: 100 * 1024,
  maxScheduleAheadSeconds: 30 * 86_400,
};

/** Slack channel, group or DM ids: C…, G…, D… followed by upper-case letters and digits. */
export const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9]{8,20}$/;
/** E.164: a plus, a non-zero digit, up to 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;
/** Twilio's ceiling for one message body, in UTF-16 code units. */
export const MAX_SMS_UNITS = 1600;
/** Slack's ceiling on blocks per message. */
const MAX_SLACK_BLOCKS = 50;
/** Slack refuses a longer `text` with `msg_too_long`; counted in UTF-16 code units. */
export const MAX_CHAT_TEXT_UNITS = 40_000;
const MAX_METADATA_ENTRIES = 20;
/**
 * Metadata travels to SendGrid as custom args, which may not exceed 10,000 bytes of JSON per
 * personalization; this bound leaves room for Herald's own notification id beside it.
 */
export const MAX_METADATA_JSON_BYTES = 8_192;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
/**
 * Whether `s` is at most `max` bytes of UTF-8. A UTF-16 code unit takes at most 3 bytes (a
 * surrogate pair 4 for 2 units), so a string of up to `max / 3` units needs no count: most
 * bodies, checked on every request.
 */
const withinBytes = (s: string, max: number) => s.length * 3 <= max || bytes(s) <= max;

/** One valid message per channel, published as the JSON Schema's `examples`. */
const EMAIL_EXAMPLE = {
  channel: 'email',
  to: ['ada@example.com'],
  cc: ['grace@example.com'],
  subject: 'Your order shipped',
  text: 'It arrives on Tuesday.',
  html: '<p>It arrives on <b>Tuesday</b>.</p>',
  providers: ['mailgun', 'ses'],
  metadata: { orderId: '123' },
};
const SMS_EXAMPLE = { channel: 'sms', to: '+14155550100', text: 'Your code is 123456' };
const CHAT_EXAMPLE = {
  channel: 'chat',
  to: 'C0123456789',
  text: 'Deploy finished',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Deploy* finished' } }],
};

/**
 * Refuses an own `__proto__` key by name. zod leaves such a key out of a record's or loose
 * object's output without a word (assigning it would swap the prototype); JSON.parse keeps it
 * as a plain property, so it is seen here, before zod builds the output.
 */
function refusingProtoKey<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, ctx) => {
    if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')) {
      ctx.addIssue({ code: 'custom', path: ['__proto__'], message: 'is a reserved key' });
    }
    return value;
  }, schema);
}

/**
 * `override` for `z.toJSONSchema` of these schemas. In `io: 'input'` zod drops `examples` from a
 * schema holding a transform, since a transform's output need not be valid input; the only one
 * here is the identity check {@link refusingProtoKey}, so each message's examples still hold.
 */
export function keepExamples(ctx: {
  zodSchema: z.core.$ZodType;
  jsonSchema: Record<string, unknown>;
}): void {
  const examples = z.globalRegistry.get(ctx.zodSchema)?.examples;
  if (examples !== undefined) ctx.jsonSchema.examples = examples;
}

/** Most fallback steps a notification may carry (its route is at most one longer). */
export const MAX_FALLBACK_STEPS = 3;
/** Longest `fallbackAfterSeconds`: a day, well within the record's retention. */
export const MAX_FALLBACK_AFTER_SECONDS = 86_400;

/** A template's name: its folder under HERALD_TEMPLATES_DIR. */
export const TEMPLATE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * A language tag: language, optional script, optional region (`fr`, `fr-CA`, `zh-Hans-CN`,
 * `es-419`). A pattern rather than a full BCP 47 parser so the published JSON Schema states the
 * very rule Herald applies; every tag it admits is one `Intl` accepts.
 */
export const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?$/;

/** Whether `tag` is a language tag Herald accepts (see {@link LOCALE}). */
export function isLocale(tag: string): boolean {
  return LOCALE.test(tag);
}

function buildSchemas(limits: MessageLimits) {
  const email = z
    .email({ error: 'must be an e-mail address' })
    .max(320, 'must be at most 320 characters');
  // JSON Schema's maxLength counts code points and every code point is at least one byte, so
  // `maxLength: maxBodyBytes` forbids nothing the byte rule allows; the bytes are described.
  const body = z
    .string()
    .min(1, 'must not be empty')
    .refine(
      (s) => withinBytes(s, limits.maxBodyBytes),
      `must be at most ${limits.maxBodyBytes} bytes`,
    )
    .meta({
      maxLength: limits.maxBodyBytes,
      description: `At most ${limits.maxBodyBytes} bytes of UTF-8.`,
    });
  // Slack counts its limit in characters of its own; UTF-16 units bound it from above.
  const chatText = z
    .string()
    .min(1, 'must not be empty')
    .refine(
      (s) => withinBytes(s, limits.maxBodyBytes),
      `must be at most ${limits.maxBodyBytes} bytes`,
    )
    .refine(
      (s) => s.length <= MAX_CHAT_TEXT_UNITS,
      `must be at most ${MAX_CHAT_TEXT_UNITS} UTF-16 code units, as Slack takes`,
    )
    .meta({
      maxLength: Math.min(limits.maxBodyBytes, MAX_CHAT_TEXT_UNITS),
      description:
        `At most ${limits.maxBodyBytes} bytes of UTF-8 and ${MAX_CHAT_TEXT_UNITS} UTF-16 code ` +
        'units (an emoji counts 2), the longest text Slack takes.',
    });
  const metadata = refusingProtoKey(
    z
      .record(
        // `__proto__` fits the characters but is refused (above); the pattern says so too.
        z
          .string()
          .regex(
            /^(?!__proto__$)[A-Za-z0-9_.-]{1,64}$/,
            'keys are 1–64 letters, digits, _ . or -, and not __proto__',
          ),
        z.string().max(256, 'values are at most 256 characters'),
      )
      .refine(
        (m) => Object.keys(m).length <= MAX_METADATA_ENTRIES,
        `at most ${MAX_METADATA_ENTRIES} entries`,
      )
      .refine(
        (m) => withinBytes(JSON.stringify(m), MAX_METADATA_JSON_BYTES),
        `at most ${MAX_METADATA_JSON_BYTES} bytes as JSON`,
      )
      .meta({ maxProperties: MAX_METADATA_ENTRIES }),
  )
    .optional()
    .describe(
      'Your own string values, stored with the notification and passed to providers that carry ' +
        `tags; at most ${MAX_METADATA_JSON_BYTES} bytes of UTF-8 as JSON.`,
    );
  // The window is relative to when Herald accepts the message (see sendAtProblems): JSON Schema
  // cannot say it, and a schema built once cannot know that moment.
  const sendAt = z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time with Z or an offset' })
    .optional()
    .describe(
      'When to send it (ISO 8601 with Z or an offset); omitted, at once. Must be in the future ' +
        `and at most ${limits.maxScheduleAheadSeconds} s ahead when Herald accepts it (for a ` +
        'queue job: when the producer added it).',
    );
  const providers = <T extends string>(names: readonly [T, ...T[]]) =>
    z
      .array(z.enum(names))
      .min(1, 'must name at least one provider')
      .refine((l) => new Set(l).size === l.length, 'lists a provider twice')
      .meta({ uniqueItems: true })
      .optional()
      .describe('Narrow and reorder the failover order; a subset of the configured providers.');
  const addresses = z
    .array(email)
    .max(limits.maxRecipients, `at most ${limits.maxRecipients} addresses`);

  const emailMessage = z
    .strictObject({
      channel: z.literal('email'),
      to: addresses.min(1, 'must name at least one recipient'),
      from: email.optional().describe('Sender; defaults to HERALD_EMAIL_FROM.'),
      subject: z
        .string()
        .min(1, 'must not be empty')
        .max(limits.maxSubjectChars, `must be at most ${limits.maxSubjectChars} characters`)
        .regex(/^[^\r\n]*$/, 'must be one line'),
      text: body.optional(),
      html: body.optional(),
      cc: addresses.optional(),
      bcc: addresses.optional(),
      replyTo: email.optional(),
      providers: providers(['sendgrid', 'mailgun', 'ses']),
      metadata,
    })
    .superRefine((m, ctx) => {
      if (m.text === undefined && m.html === undefined) {
        ctx.addIssue({ code: 'custom', path: ['text'], message: 'text or html is required' });
      }
      const count = m.to.length + (m.cc?.length ?? 0) + (m.bcc?.length ?? 0);
      if (count > limits.maxRecipients) {
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `to, cc and bcc together hold ${count} addresses; at most ${limits.maxRecipients}`,
        });
      }
    })
    .meta({
      description:
        `An e-mail: text or html (or both). to, cc and bcc together hold at most ` +
        `${limits.maxRecipients} addresses.`,
      anyOf: [{ required: ['text'] }, { required: ['html'] }],
      examples: [EMAIL_EXAMPLE],
    });

  const smsMessage = z
    .strictObject({
      channel: z.literal('sms'),
      to: z.string().regex(E164, 'must be an E.164 number such as +14155550100'),
      // Twilio counts UTF-16 code units (`length`); zod and JSON Schema count code points, so
      // maxLength is only a bound the rule implies (a code point is one or two units).
      text: z
        .string()
        .min(1, 'must not be empty')
        .refine(
          (s) => s.length <= MAX_SMS_UNITS,
          `must be at most ${MAX_SMS_UNITS} UTF-16 code units, as Twilio counts (an emoji is 2)`,
        )
        .meta({
          maxLength: MAX_SMS_UNITS,
          description:
            `At most ${MAX_SMS_UNITS} UTF-16 code units, as Twilio counts: a character outside ` +
            'the Basic Multilingual Plane (most emoji) counts 2.',
        }),
      providers: providers(['twilio']),
      metadata,
    })
    .meta({ description: 'An SMS to an E.164 number.', examples: [SMS_EXAMPLE] });

  const chatMessage = z
    .strictObject({
      channel: z.literal('chat'),
      to: z.string().regex(SLACK_CHANNEL_ID, 'must be a Slack channel id such as C0123456789'),
      text: chatText.optional(),
      blocks: z
        .array(
          refusingProtoKey(z.looseObject({ type: z.string().min(1) })).meta({
            propertyNames: { not: { const: '__proto__' } },
          }),
        )
        .max(MAX_SLACK_BLOCKS, `at most ${MAX_SLACK_BLOCKS} blocks`)
        .optional()
        .describe('Slack Block Kit blocks.'),
      providers: providers(['slack']),
      metadata,
    })
    .superRefine((m, ctx) => {
      if (m.text === undefined && (m.blocks === undefined || m.blocks.length === 0)) {
        ctx.addIssue({ code: 'custom', path: ['text'], message: 'text or blocks is required' });
      }
    })
    .meta({
      description: 'A Slack message: text, or at least one block, or both.',
      anyOf: [
        { required: ['text'] },
        { required: ['blocks'], properties: { blocks: { type: 'array', minItems: 1 } } },
      ],
      examples: [CHAT_EXAMPLE],
    });

  const content = z.discriminatedUnion('channel', [emailMessage, smsMessage, chatMessage], {
    error: 'must be one of email, sms, chat',
  });

  // The templated form: the same envelope, with `template` + `data` (+ `locale`) in place of the
  // content, which Herald renders at intake (src/templates).
  const templateFields = {
    template: z
      .string()
      .regex(TEMPLATE_NAME, 'must be a template name: lower-case letters, digits and -')
      .describe('Name of a template under HERALD_TEMPLATES_DIR (GET /v1/templates lists them).'),
    locale: z
      .string()
      .regex(LOCALE, 'must be a language tag such as fr or fr-CA')
      .optional()
      .describe('Preferred locale; falls back fr-CA → fr → the template default.'),
    data: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("The template's data, checked against its JSON Schema."),
  };
  const emailTemplated = z
    .strictObject({
      channel: z.literal('email'),
      to: addresses.min(1, 'must name at least one recipient'),
      from: email.optional().describe('Sender; defaults to HERALD_EMAIL_FROM.'),
      cc: addresses.optional(),
      bcc: addresses.optional(),
      replyTo: email.optional(),
      providers: providers(['sendgrid', 'mailgun', 'ses']),
      metadata,
      ...templateFields,
    })
    .superRefine((m, ctx) => {
      const count = m.to.length + (m.cc?.length ?? 0) + (m.bcc?.length ?? 0);
      if (count > limits.maxRecipients) {
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `to, cc and bcc together hold ${count} addresses; at most ${limits.maxRecipients}`,
        });
      }
    });
  const smsTemplated = z.strictObject({
    channel: z.literal('sms'),
    to: smsMessage.shape.to,
    providers: providers(['twilio']),
    metadata,
    ...templateFields,
  });
  const chatTemplated = z.strictObject({
    channel: z.literal('chat'),
    to: chatMessage.shape.to,
    providers: providers(['slack']),
    metadata,
    ...templateFields,
  });
  // A fallback step: a message of any channel, content or template, without the fields that
  // belong to the whole notification (sendAt, fallback, fallbackAfterSeconds).
  const fallbackStep = contentOrTemplate(
    z.discriminatedUnion('channel', [emailMessage, smsMessage, chatMessage], {
      error: 'must be one of email, sms, chat',
    }),
    z.discriminatedUnion('channel', [emailTemplated, smsTemplated, chatTemplated], {
      error: 'must be one of email, sms, chat',
    }),
  );
  const routing = {
    sendAt,
    fallback: z
      .array(fallbackStep)
      .min(1, 'must hold at least one message')
      .max(MAX_FALLBACK_STEPS, `must hold at most ${MAX_FALLBACK_STEPS} messages`)
      .optional()
      .describe(
        'Further messages (any channel, content or template; no sendAt and no fallback of their ' +
          'own), tried in order when the one before failed, was suppressed, bounced, came back ' +
          'undelivered, or was not sent within fallbackAfterSeconds. One notification: one id, ' +
          'one idempotency key, one route.',
      ),
    fallbackAfterSeconds: z
      .int('must be a whole number of seconds')
      .min(1, 'must be at least 1')
      .max(MAX_FALLBACK_AFTER_SECONDS, `must be at most ${MAX_FALLBACK_AFTER_SECONDS}`)
      .optional()
      .describe(
        'Seconds each step but the last has to be sent (accepted by a provider) before the next ' +
          'step supersedes it; needs fallback. Omitted: a step gives way only when it fails, ' +
          'bounces or comes back undelivered.',
      ),
  };
  /** A top-level form's check: `fallbackAfterSeconds` only beside `fallback`. */
  const needsFallback = (
    m: { fallback?: unknown; fallbackAfterSeconds?: unknown },
    ctx: z.RefinementCtx,
  ) => {
    if (m.fallbackAfterSeconds !== undefined && m.fallback === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['fallbackAfterSeconds'],
        message: 'needs fallback: the messages to try after this one',
      });
    }
  };
  /** A top-level form's JSON Schema rules: its step's, and the one {@link needsFallback} checks. */
  const wholeMeta = (form: z.ZodType) => ({
    ...(form.meta() ?? {}),
    dependentRequired: { fallbackAfterSeconds: ['fallback'] },
  });
  // Checks survive safeExtend; metadata (JSON Schema rules, examples) is per instance.
  const wholeForms = (shape: typeof routing) =>
    contentOrTemplate(
      z.discriminatedUnion(
        'channel',
        [
          emailMessage.safeExtend(shape).superRefine(needsFallback).meta(wholeMeta(emailMessage)),
          smsMessage.safeExtend(shape).superRefine(needsFallback).meta(wholeMeta(smsMessage)),
          chatMessage.safeExtend(shape).superRefine(needsFallback).meta(wholeMeta(chatMessage)),
        ],
        { error: 'must be one of email, sms, chat' },
      ),
      z.discriminatedUnion(
        'channel',
        [
          emailTemplated
            .safeExtend(shape)
            .superRefine(needsFallback)
            .meta(wholeMeta(emailTemplated)),
          smsTemplated.safeExtend(shape).superRefine(needsFallback).meta(wholeMeta(smsTemplated)),
          chatTemplated.safeExtend(shape).superRefine(needsFallback).meta(wholeMeta(chatTemplated)),
        ],
        { error: 'must be one of email, sms, chat' },
      ),
    );
  const message = wholeForms(routing);
  FALLBACK_STEPS.set(message, fallbackStep);
  const templated = z.discriminatedUnion('channel', [emailTemplated, smsTemplated, chatTemplated], {
    error: 'must be one of email, sms, chat',
  });
  /** The content fields of each channel, which a template's rendered output must pass. */
  const renderedContent = {
    email: z.strictObject({
      subject: emailMessage.shape.subject,
      text: emailMessage.shape.text,
      html: emailMessage.shape.html,
    }),
    sms: z.strictObject({ text: smsMessage.shape.text }),
    chat: z.strictObject({ text: chatMessage.shape.text, blocks: chatMessage.shape.blocks }),
  } as const;
  const idempotencyKey = z
    .string()
    .regex(/^[\x20-\x7E]{1,255}$/, 'must be 1–255 printable ASCII characters')
    .optional()
    .describe('Same meaning as the REST Idempotency-Key header, scoped to the queue.');
  /** A queue job: the message plus an optional idempotency key. */
  // (Typed as the message's shape: zod's safeExtend loses a generic shape's fields; the
  // job's type adds the key below.)
  const job = wholeForms({ ...routing, idempotencyKey } as typeof routing);
  FALLBACK_STEPS.set(job, fallbackStep);
  return { message, content, templated, fallbackStep, renderedContent, job };
}

export type NotificationSchemas = ReturnType<typeof buildSchemas>;
export const notificationSchemas = (limits: MessageLimits): NotificationSchemas =>
  buildSchemas(limits);

/**
 * A message with its content, discriminated by `channel`: what records keep and channels send.
 * A templated request becomes one at intake.
 */
export type NotificationMessage = z.infer<NotificationSchemas['content']>;
/** A message that names a template and its data instead of content. */
export type TemplatedMessage = z.infer<NotificationSchemas['templated']>;
/** One message (content, or a template and its data), without the notification's own fields. */
export type NotificationRequest = NotificationMessage | TemplatedMessage;
export type EmailMessage = Extract<NotificationMessage, { channel: 'email' }>;
export type SmsMessage = Extract<NotificationMessage, { channel: 'sms' }>;
export type ChatMessage = Extract<NotificationMessage, { channel: 'chat' }>;
/** What a producer puts on the queue: a message plus an optional idempotency key. */
export type NotificationJobData = z.infer<NotificationSchemas['job']> & {
  readonly idempotencyKey?: string;
};

/** Field problems of a failed parse, each naming its field as a dotted path (`to.0`, `subject`). */
export function fieldProblems(error: z.ZodError, input: unknown): FieldProblem[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ field: '(body)', message: 'must be a JSON object' }];
  }
  const templated = Object.prototype.hasOwnProperty.call(input, 'template');
  return error.issues.flatMap((issue) => {
    const at = (extra: PropertyKey[] = []) => [...issue.path, ...extra].map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: at([key]),
        message:
          templated && issue.path.length === 0 && CONTENT_FIELDS.has(key)
            ? 'cannot be combined with template'
            : 'is not a known field',
      }));
    }
    return [{ field: at() || '(body)', message: issue.message }];
  });
}

/** Content fields a templated message must leave to its template. */
const CONTENT_FIELDS = new Set(['subject', 'text', 'html', 'blocks']);

/** The two forms of each content-or-template union (see {@link contentOrTemplate}). */
const FORMS = new WeakMap<z.ZodType, { content: z.ZodType; templated: z.ZodType }>();

/**
 * Content or template. Both forms are strict objects and only the templated one has
 * `template`, so at most one matches. When neither does, zod reports whichever form failed
 * less badly, which may not be the one the caller meant: {@link formError} names the right one.
 */
function contentOrTemplate<C extends z.ZodType, T extends z.ZodType>(content: C, templated: T) {
  const union = z.union([content, templated]);
  FORMS.set(union, { content, templated });
  return union;
}

/** The errors of the form `input` meant (templated when it has `template`), for a union. */
function formError(schema: z.ZodType, input: unknown): z.ZodError | undefined {
  const forms = FORMS.get(schema);
  if (!forms || typeof input !== 'object' || input === null) return undefined;
  const meant = Object.prototype.hasOwnProperty.call(input, 'template')
    ? forms.templated
    : forms.content;
  const result = meant.safeParse(input);
  return result.success ? undefined : result.error;
}

/**
 * Problems of a well-formed `sendAt` against the moment the message was handed to Herald
 * (`submittedAtMs`: the request's arrival, or when a producer added its job): it must lie after
 * that moment and at most `maxAheadSeconds` beyond it. Measured from submission, a job that
 * waited in a busy queue past its time is sent at once, not refused.
 */
export function sendAtProblems(
  sendAt: string | undefined,
  submittedAtMs: number,
  maxAheadSeconds: number,
): FieldProblem[] {
  if (sendAt === undefined) return [];
  const at = Date.parse(sendAt);
  if (at <= submittedAtMs) return [{ field: 'sendAt', message: 'must be in the future' }];
  if (at > submittedAtMs + maxAheadSeconds * 1000) {
    return [{ field: 'sendAt', message: `must be at most ${maxAheadSeconds} s ahead` }];
  }
  return [];
}

/** The fallback step schema of each top-level message schema (see {@link stepProblems}). */
const FALLBACK_STEPS = new WeakMap<z.ZodType, z.ZodType>();

/** Fields a fallback step may not carry, and why. */
const NOT_IN_A_STEP: Readonly<Record<string, string>> = {
  sendAt: 'a fallback step starts when the step before it ends; only the first message has sendAt',
  fallback: 'a fallback step cannot have fallback steps of its own',
  fallbackAfterSeconds: 'is set once, on the first message, for every step',
  idempotencyKey: 'covers the whole notification: set it on the first message',
};

/**
 * The problems of `input.fallback`, each step judged as the form it meant (content or template)
 * and named `fallback.i.field`: zod would only say the union failed at `fallback.i`.
 */
function stepProblems(schema: z.ZodType, input: unknown): FieldProblem[] | undefined {
  const step = FALLBACK_STEPS.get(schema);
  const steps = (input as { fallback?: unknown } | null)?.fallback;
  if (!step || !Array.isArray(steps)) return undefined;
  return steps.slice(0, MAX_FALLBACK_STEPS).flatMap((item: unknown, i) => {
    const result = step.safeParse(item);
    if (result.success) return [];
    return fieldProblems(formError(step, item) ?? result.error, item).map((p) => {
      const key = p.field.split('.')[0]!;
      return {
        field: p.field === '(body)' ? `fallback.${i}` : `fallback.${i}.${p.field}`,
        message:
          p.message === 'is not a known field' && key === p.field && NOT_IN_A_STEP[key]
            ? NOT_IN_A_STEP[key]
            : p.message,
      };
    });
  });
}

/** Parses with a schema or throws `validation_failed` naming every bad field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  let errors = fieldProblems(formError(schema, input) ?? result.error, input);
  const steps = stepProblems(schema, input);
  if (steps !== undefined) {
    errors = [...errors.filter((e) => !/^fallback\.\d/.test(e.field)), ...steps];
  }
  throw new HeraldError(
    'validation_failed',
    `Invalid field${errors.length > 1 ? 's' : ''}: ${[...new Set(errors.map((e) => e.field))].join(', ')}.`,
    { errors },
  );
}
