import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { fieldsOf } from '../simulated-endpoint';
import { type ContractViolation, type ProviderContract, coded } from './provider-contract';

/*
 * Twilio `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form-encoded). Sources:
 * [OAS]    Twilio's OpenAPI description (twilio/twilio-oai, spec/json/twilio_api_v2010.json,
 *          CreateMessageRequest).
 * [ERRORS] Twilio's error dictionary (https://www.twilio.com/docs/api/errors/<code>): a rule
 *          answers with the code the dictionary names for it (21211, 21212, 21602, 21603,
 *          21604, 21609, 21617); a rule whose own code we could not confirm there answers
 *          with Twilio's generic 20001 "Bad Request", as does a plain type error.
 */

/** Twilio's generic "Bad Request". */
const BAD_REQUEST = 20001;

/** [OAS] `Body`: "Can be up to 1,600 characters in length" (UTF-16 code units here). */
export const TWILIO_MAX_BODY_CHARS = 1600;
/** [OAS] `MediaUrl`: "You can include up to ten `media_url` parameters per message". */
export const TWILIO_MAX_MEDIA_URLS = 10;

/** [OAS] `To`: E.164 for SMS/MMS, or a channel address such as `whatsapp:+15552229999`. */
const TO = /^(?:[a-z]+:)?\+[1-9]\d{1,14}$/;
/** [OAS] `From`: E.164, an alphanumeric sender id, a short code, or a channel address. */
const FROM = /^(?:(?:[a-z]+:)?\+[1-9]\d{1,14}|\d{3,8}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/;

const present = (v: unknown) => typeof v === 'string' && v !== '';

const schema = z
  .looseObject({
    // [OAS] To is the one required parameter. [ERRORS] 21604 missing, 21211 invalid.
    To: z
      .string({ error: coded(21604, "A 'To' phone number is required.") })
      .min(1, coded(21604, "A 'To' phone number is required."))
      .refine((to) => TO.test(to), {
        error: (iss) =>
          coded(21211, `The 'To' number ${String(iss.input)} is not a valid phone number.`),
      }),
    // [ERRORS] 21212 invalid From.
    From: z
      .string()
      .refine((from) => FROM.test(from), {
        error: (iss) =>
          coded(
            21212,
            `The 'From' number ${String(iss.input)} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
          ),
      })
      .optional(),
    // [OAS] MessagingServiceSid: 34 characters, ^MG[0-9a-fA-F]{32}$.
    MessagingServiceSid: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/, coded(BAD_REQUEST, 'The Messaging Service Sid is invalid.'))
      .optional(),
    // [OAS] Body up to 1,600 characters. [ERRORS] 21617.
    Body: z
      .string()
      .max(
        TWILIO_MAX_BODY_CHARS,
        coded(21617, 'The concatenated message body exceeds the 1600 character limit.'),
      )
      .optional(),
    // [OAS] up to ten MediaUrl.
    MediaUrl: z
      .union([z.string(), z.array(z.string())])
      .transform((m) => (Array.isArray(m) ? m : [m]))
      .pipe(
        z
          .array(z.string())
          .max(
            TWILIO_MAX_MEDIA_URLS,
            coded(BAD_REQUEST, 'Number of media files exceeds allowed limit.'),
          ),
      )
      .optional(),
    // [OAS] ContentSid: ^HX[0-9a-fA-F]{32}$.
    ContentSid: z
      .string()
      .regex(/^HX[0-9a-fA-F]{32}$/, coded(BAD_REQUEST, 'Invalid ContentSid.'))
      .optional(),
    // [OAS] StatusCallback: `format: uri`, "a valid hostname and underscores are not
    // allowed". [ERRORS] 21609 invalid StatusCallback.
    StatusCallback: z
      .string()
      .refine(
        (url) => URL.canParse(url) && !new URL(url).hostname.includes('_'),
        coded(21609, 'The StatusCallback URL is not valid.'),
      )
      .optional(),
    // [OAS] ValidityPeriod: integer seconds from 1 to 36000.
    ValidityPeriod: z
      .string()
      .refine(
        (v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 36_000,
        coded(BAD_REQUEST, 'ValidityPeriod must be between 1 and 36000 seconds.'),
      )
      .optional(),
  })
  .superRefine((fields, ctx) => {
    // [OAS] From, or a MessagingServiceSid to pick one. [ERRORS] 21603.
    if (!present(fields.From) && !present(fields.MessagingServiceSid)) {
      ctx.addIssue({
        code: 'custom',
        path: ['From'],
        message: coded(21603, "A 'From' phone number is required."),
      });
    }
    // [OAS] a Body, MediaUrl or ContentSid. [ERRORS] 21602.
    if (!present(fields.Body) && fields.MediaUrl === undefined && !present(fields.ContentSid)) {
      ctx.addIssue({
        code: 'custom',
        path: ['Body'],
        message: coded(21602, 'Message body is required.'),
      });
    }
  });

/** Twilio's error answer for the first violation (Twilio reports one at a time). */
function refuse(violations: readonly ContractViolation[]) {
  const first = violations[0]!;
  const code = first.code === undefined ? BAD_REQUEST : Number(first.code);
  const message = first.message;
  return {
    status: 400,
    headers: { 'twilio-request-id': `RQ${randomBytes(16).toString('hex')}` },
    // [ERRORS] `{code, message, more_info, status}`.
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 },
  };
}

export const twilioContract: ProviderContract = {
  provider: 'twilio',
  call: 'POST /2010-04-01/Accounts/{AccountSid}/Messages.json',
  input: (request) => fieldsOf(request.body),
  schema,
  refuse,
};
