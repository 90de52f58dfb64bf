import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ProviderContract } from './provider-contract';

/*
 * Amazon SES v2 `SendEmail` (`POST /v2/email/outbound-emails`, JSON). AWS publishes no
 * OpenAPI description; sources:
 * [API]    Amazon SES API v2 Reference: SendEmail, EmailContent, Message, Content, Body,
 *          Destination, MessageTag (https://docs.aws.amazon.com/ses/latest/APIReference-V2/).
 * [QUOTAS] Amazon SES Developer Guide, Service quotas: at most 50 recipients (To, CC and
 *          BCC together) per message (https://docs.aws.amazon.com/ses/latest/dg/quotas.html).
 * A violation is answered as SES answers one: 400 `BadRequestException`.
 */

/** [QUOTAS] recipients per message. */
export const SES_MAX_RECIPIENTS = 50;
/** [API] MessageTag Name and Value: "256 characters or fewer". */
export const SES_MAX_TAG_CHARS = 256;
/** [API] MessageTag Name and Value: ASCII letters, digits, `_` and `-` only. */
const TAG = /^[A-Za-z0-9_-]*$/;

const tagPart = (part: 'name' | 'value') =>
  z
    .string()
    .min(1, `The tag ${part} must not be empty.`)
    .max(SES_MAX_TAG_CHARS, `The tag ${part} must be ${SES_MAX_TAG_CHARS} characters or fewer.`)
    .refine((v) => TAG.test(v), {
      error: (iss) =>
        `Invalid tag ${part} <${String(iss.input)}>: only alphanumeric ASCII characters, '_', and '-' are allowed.`,
    });

/** [API] Content: `Data` required, `Charset` optional. */
const content = z.looseObject({ Data: z.string(), Charset: z.string().optional() });

const simple = z.looseObject({
  // [API] Message: Subject and Body required.
  Subject: content,
  Body: z
    .looseObject({ Text: content.optional(), Html: content.optional() })
    .refine((b) => b.Text !== undefined || b.Html !== undefined, 'Body must contain Text or Html.'),
});

const addresses = z.array(z.string()).optional();

const schema = z
  .looseObject({
    FromEmailAddress: z.string().optional(),
    Destination: z
      .looseObject({ ToAddresses: addresses, CcAddresses: addresses, BccAddresses: addresses })
      .optional(),
    ReplyToAddresses: addresses,
    // [API] Content required: exactly one of Simple, Raw, Template.
    Content: z
      .looseObject({
        Simple: simple.optional(),
        Raw: z.looseObject({ Data: z.string() }).optional(),
        Template: z.looseObject({}).optional(),
      })
      .refine(
        (c) => [c.Simple, c.Raw, c.Template].filter((x) => x !== undefined).length === 1,
        'Content must contain exactly one of Simple, Raw or Template.',
      ),
    // [API] EmailTags: MessageTag list, Name and Value both required.
    EmailTags: z
      .array(z.looseObject({ Name: tagPart('name'), Value: tagPart('value') }))
      .optional(),
    ConfigurationSetName: z.string().optional(),
  })
  .superRefine((body, ctx) => {
    const d = body.Destination;
    const count =
      (d?.ToAddresses?.length ?? 0) +
      (d?.CcAddresses?.length ?? 0) +
      (d?.BccAddresses?.length ?? 0);
    if (count > SES_MAX_RECIPIENTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['Destination'],
        message: `Recipient count exceeds ${SES_MAX_RECIPIENTS}.`,
      });
    }
  });

export const sesContract: ProviderContract = {
  provider: 'ses',
  call: 'SendEmail (POST /v2/email/outbound-emails)',
  input: (request) => request.body,
  schema,
  // [API] SendEmail errors: BadRequestException, HTTP 400; AWS JSON errors carry the type in
  // `x-amzn-ErrorType` and `{message}` in the body.
  refuse: (violations) => ({
    status: 400,
    headers: {
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype':
        'BadRequestException:http://internal.amazon.com/coral/com.amazon.coral.service/',
    },
    body: { message: violations[0]!.message },
  }),
};
