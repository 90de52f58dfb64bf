import { type KeyObject, createHash, randomBytes, sign } from 'node:crypto';
import type { EmailEventKind } from './event-kinds';
import {
  type EventSource,
  type OutboundEvent,
  bareAddress,
  rawFields,
  unixSeconds,
} from './outbound-event';

/** SendGrid's name of each event. */
const EVENT_NAME: Readonly<Record<EmailEventKind, string>> = {
  delivered: 'delivered',
  bounce: 'bounce',
  deferred: 'deferred',
  complaint: 'spamreport',
};

/** The fields each event adds, as SendGrid's Event Webhook reference shows them. */
const DETAILS: Readonly<Record<EmailEventKind, Record<string, unknown>>> = {
  delivered: { response: '250 OK', tls: 1, ip: '127.0.0.1' },
  bounce: {
    type: 'bounce',
    status: '5.1.1',
    reason: '550 5.1.1 The email account that you tried to reach does not exist.',
    bounce_classification: 'Invalid Address',
    tls: 1,
    ip: '127.0.0.1',
  },
  deferred: {
    response: '451 4.3.0 Mailbox temporarily unavailable',
    attempt: '1',
    tls: 1,
    ip: '127.0.0.1',
  },
  complaint: {},
};

const objectOf = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

const stringsOf = (v: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries(objectOf(v)).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );

/**
 * One SendGrid Event Webhook POST: a JSON array of events, signed with ECDSA P-256 over the
 * timestamp header followed by the raw body (SendGrid's Signed Event Webhook).
 *
 * Each event carries `sg_message_id` = the `X-Message-Id` returned at send, then
 * `.filter…` with the recipient's index (as SendGrid's ids begin with it), its own
 * `sg_event_id`, and the send's `custom_args` (top level and the recipient's
 * personalization) and `categories` as top-level fields.
 */
export function sendgridEvent(source: EventSource, privateKey: KeyObject): OutboundEvent {
  const { message, event, url } = source;
  const kind = event.kind as EmailEventKind;
  const raw = rawFields(message);
  const email = bareAddress(event.recipient);
  const personalizations = Array.isArray(raw.personalizations)
    ? raw.personalizations.map(objectOf)
    : [];
  const own = personalizations.find((p) =>
    ['to', 'cc', 'bcc'].some(
      (key) =>
        Array.isArray(p[key]) && (p[key] as unknown[]).some((e) => objectOf(e).email === email),
    ),
  );
  const customArgs = { ...stringsOf(raw.custom_args), ...stringsOf(own?.custom_args) };
  const recipients = [...message.to, ...(message.cc ?? []), ...(message.bcc ?? [])];
  const index = Math.max(0, recipients.indexOf(event.recipient));
  const sgMessageId = `${message.id}.filterdrecv-herald-sandbox-1-${createHash('sha1')
    .update(message.id)
    .digest('hex')
    .slice(0, 8)
    .toUpperCase()}-${index}.0`;
  const eventId = randomBytes(16).toString('base64url');

  return {
    provider: 'sendgrid',
    eventId,
    kind,
    type: EVENT_NAME[kind],
    messageId: message.id,
    ...(message.notificationId === undefined ? {} : { notificationId: message.notificationId }),
    recipient: email,
    url,
    build() {
      const timestamp = String(unixSeconds());
      const item = {
        ...customArgs,
        email,
        timestamp: Number(timestamp),
        'smtp-id': `<${message.id}@geopod-ismtpd-herald-sandbox>`,
        event: EVENT_NAME[kind],
        ...(raw.categories === undefined ? {} : { category: raw.categories }),
        sg_event_id: eventId,
        sg_message_id: sgMessageId,
        ...DETAILS[kind],
      };
      // SendGrid ends the body with CRLF; the signature covers it, so a receiver must
      // verify the raw bytes, not a re-serialised object.
      const body = `${JSON.stringify([item])}\r\n`;
      const signature = sign('sha256', Buffer.from(timestamp + body, 'utf8'), privateKey);
      return {
        headers: {
          'content-type': 'application/json;charset=utf-8',
          'user-agent': 'SendGrid Event API',
          'x-twilio-email-event-webhook-signature': signature.toString('base64'),
          'x-twilio-email-event-webhook-timestamp': timestamp,
        },
        body,
      };
    },
  };
}
