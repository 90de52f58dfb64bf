import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { NOTIFICATION_ID_FIELD, TWILIO_MAGIC_NUMBERS } from './sandbox-conventions';
import type { SandboxCredentials } from '../config/sandbox-credentials';
import {
  type ProviderAnswer,
  type SimulatedEndpoint,
  basicAuth,
  compact,
  fieldsOf,
  stringField,
} from './simulated-endpoint';
import { enforce } from './contracts/provider-contract';
import { twilioContract } from './contracts/twilio.contract';

const E164 = /^\+[1-9]\d{1,14}$/;
/** Twilio refuses longer bodies (21617). */
const MAX_BODY_CHARS = 1600;

/** Twilio's error body: its own code, a message, a docs link and the HTTP status. */
const twilioError = (status: number, code: number, message: string): ProviderAnswer => ({
  status,
  headers: { 'twilio-request-id': `RQ${randomBytes(16).toString('hex')}` },
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

/** Codes of the failures the simulator is told to produce. */
const CODE_OF_STATUS: Readonly<Record<number, number>> = {
  401: 20003,
  403: 20403,
  404: 20404,
  429: 20429,
  500: 20500,
  503: 20503,
};

/** The magic `To` numbers' refusals, as Twilio answers them with test credentials. */
const MAGIC_TO: Readonly<Record<string, [code: number, message: (to: string) => string]>> = {
  [TWILIO_MAGIC_NUMBERS.invalid]: [
    21211,
    (to) => `The 'To' number ${to} is not a valid phone number.`,
  ],
  [TWILIO_MAGIC_NUMBERS.unroutable]: [
    21612,
    () => "The 'To' phone number is not currently reachable via SMS.",
  ],
  [TWILIO_MAGIC_NUMBERS.noInternationalPermission]: [
    21408,
    (to) =>
      `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`,
  ],
  [TWILIO_MAGIC_NUMBERS.unsubscribed]: [21610, () => 'Attempt to send to unsubscribed recipient'],
  [TWILIO_MAGIC_NUMBERS.notMobile]: [
    21614,
    (to) => `'To' number ${to} is not a valid mobile number`,
  ],
};

/** Segments of an SMS: one up to 160 characters, else 153 per part (concatenation header). */
const segmentsOf = (body: string) => (body.length <= 160 ? 1 : Math.ceil(body.length / 153));

/**
 * Twilio `POST /2010-04-01/Accounts/:sid/Messages.json`: form body, Basic `<sid>:<token>`;
 * `201` with the Message resource. Errors are `{code, message, more_info, status}`.
 * Messages.json has no custom field, so Herald's notification id comes from the
 * `X-Herald-Notification-Id` header or a `herald_notification_id` query parameter of
 * `StatusCallback` (the URL Herald would give for delivery receipts).
 */
export function twilioRoutes(credentials: SandboxCredentials['twilio']): SimulatedEndpoint {
  return {
    provider: 'twilio',
    path: '/2010-04-01/Accounts/:sid/Messages.json',

    send(request) {
      const auth = basicAuth(request);
      if (auth?.user !== credentials.accountSid || auth.password !== credentials.authToken) {
        return { answer: twilioError(401, 20003, 'Authenticate') };
      }
      const { sid } = request.params as { sid: string };
      if (sid !== auth.user) {
        return {
          answer: twilioError(
            404,
            20404,
            `The requested resource ${request.url.split('?')[0]} was not found`,
          ),
        };
      }

      const refused = enforce(twilioContract, request);
      if (refused) return refused;

      const fields = fieldsOf(request.body);
      const to = stringField(fields, 'To');
      const from = stringField(fields, 'From');
      const body = stringField(fields, 'Body');
      const refuse = (code: number, message: string) => ({
        answer: twilioError(400, code, message),
      });
      if (!to) return refuse(21604, "A 'To' phone number is required.");
      if (!E164.test(to))
        return refuse(21211, `The 'To' number ${to} is not a valid phone number.`);
      if (!from && !stringField(fields, 'MessagingServiceSid')) {
        return refuse(21603, "A 'From' phone number is required.");
      }
      if (from !== undefined && !E164.test(from)) {
        return refuse(
          21212,
          `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
        );
      }
      if (!body && !stringField(fields, 'MediaUrl') && !stringField(fields, 'ContentSid')) {
        return refuse(21602, 'Message body is required.');
      }
      if (body !== undefined && body.length > MAX_BODY_CHARS) {
        return refuse(21617, 'The concatenated message body exceeds the 1600 character limit.');
      }
      const magic = MAGIC_TO[to];
      if (magic) return refuse(magic[0], magic[1](to));

      const messageSid = `SM${randomBytes(16).toString('hex')}`;
      const now = new Date().toUTCString().replace('GMT', '+0000');
      const uri = `/2010-04-01/Accounts/${sid}/Messages/${messageSid}`;
      return {
        answer: {
          status: 201,
          body: {
            account_sid: sid,
            api_version: '2010-04-01',
            body: body ?? '',
            date_created: now,
            date_sent: null,
            date_updated: now,
            direction: 'outbound-api',
            error_code: null,
            error_message: null,
            from: from ?? null,
            messaging_service_sid: stringField(fields, 'MessagingServiceSid') ?? null,
            num_media: '0',
            num_segments: String(segmentsOf(body ?? '')),
            price: null,
            price_unit: 'USD',
            sid: messageSid,
            status: 'queued',
            subresource_uris: { media: `${uri}/Media.json` },
            to,
            uri: `${uri}.json`,
          },
        },
        accepted: compact({
          id: messageSid,
          to: [to],
          from,
          text: body,
          notificationId: notificationIdOf(stringField(fields, 'StatusCallback')),
        }),
      };
    },

    failure(status) {
      const code = CODE_OF_STATUS[status] ?? (status >= 500 ? 20500 : 20001);
      return twilioError(status, code, STATUS_CODES[status] ?? 'Error');
    },

    throttled(retryAfterSeconds) {
      const answer = twilioError(429, 20429, 'Too Many Requests');
      return {
        ...answer,
        headers: { ...answer.headers, 'retry-after': String(retryAfterSeconds) },
      };
    },
  };
}

function notificationIdOf(statusCallback: string | undefined): string | undefined {
  if (!statusCallback) return undefined;
  try {
    return new URL(statusCallback).searchParams.get(NOTIFICATION_ID_FIELD) ?? undefined;
  } catch {
    return undefined;
  }
}
