import { createHmac, randomBytes } from 'node:crypto';
import type { EmailEventKind } from './event-kinds';
import {
  type EventSource,
  type OutboundEvent,
  bareAddress,
  rawFields,
  unixSeconds,
} from './outbound-event';

/** Mailgun's webhook signature: hex HMAC-SHA256 of timestamp + token, keyed by the signing key. */
export function mailgunSignature(signingKey: string, timestamp: string, token: string): string {
  return createHmac('sha256', signingKey)
    .update(timestamp + token)
    .digest('hex');
}

const deliveryStatus = (code: number, message: string, extra: Record<string, unknown> = {}) => ({
  tls: true,
  'mx-host': 'mx.simulator.herald.test',
  code,
  description: '',
  'session-seconds': 0.1,
  utf8: true,
  'attempt-no': 1,
  message,
  'certificate-verified': true,
  ...extra,
});

/** The fields of each event, as Mailgun's webhook payload reference shows them. */
const DETAILS: Readonly<Record<EmailEventKind, Record<string, unknown>>> = {
  delivered: {
    event: 'delivered',
    'log-level': 'info',
    'delivery-status': deliveryStatus(250, 'OK'),
  },
  bounce: {
    event: 'failed',
    severity: 'permanent',
    reason: 'bounce',
    'log-level': 'error',
    'delivery-status': deliveryStatus(
      550,
      '5.1.1 The email account that you tried to reach does not exist.',
      { 'bounce-type': 'hard' },
    ),
  },
  deferred: {
    event: 'failed',
    severity: 'temporary',
    reason: 'generic',
    'log-level': 'warn',
    'delivery-status': deliveryStatus(
      452,
      '4.2.2 The email account that you tried to reach is over quota.',
      {
        'retry-seconds': 600,
      },
    ),
  },
  complaint: { event: 'complained', 'log-level': 'warn' },
};

const stringOf = (v: unknown): string | undefined => {
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : undefined;
};

/**
 * One Mailgun webhook POST: JSON `{signature: {timestamp, token, signature}, "event-data"}`,
 * the signature being Mailgun's HMAC-SHA256 of timestamp + token. `event-data.message.headers
 * ["message-id"]` is the id returned at send without its angle brackets; `user-variables`
 * echoes the send's `v:` variables and `tags` its `o:tag` values; `id` is the event's id.
 */
export function mailgunEvent(source: EventSource, signingKey: string): OutboundEvent {
  const { message, event, url } = source;
  const kind = event.kind as EmailEventKind;
  const raw = rawFields(message);
  const recipient = bareAddress(event.recipient);
  const messageId = message.id.replace(/^<|>$/g, '');
  const userVariables = Object.fromEntries(
    Object.keys(raw)
      .filter((k) => k.startsWith('v:'))
      .map((k) => [k.slice(2), stringOf(raw[k])] as const)
      .filter((e): e is [string, string] => e[1] !== undefined),
  );
  const tags = Object.keys(raw)
    .filter((k) => k === 'o:tag')
    .flatMap((k) => (Array.isArray(raw[k]) ? raw[k] : [raw[k]]))
    .filter((t): t is string => typeof t === 'string');
  const eventId = randomBytes(16).toString('base64url');
  const domain = messageId.slice(messageId.lastIndexOf('@') + 1);

  return {
    provider: 'mailgun',
    eventId,
    kind,
    type: String(DETAILS[kind].event),
    messageId: message.id,
    ...(message.notificationId === undefined ? {} : { notificationId: message.notificationId }),
    recipient,
    url,
    build() {
      const now = Date.now();
      const timestamp = String(unixSeconds(now));
      const token = randomBytes(25).toString('hex');
      const body = {
        signature: { timestamp, token, signature: mailgunSignature(signingKey, timestamp, token) },
        'event-data': {
          id: eventId,
          timestamp: now / 1000,
          ...DETAILS[kind],
          recipient,
          'recipient-domain': recipient.slice(recipient.lastIndexOf('@') + 1),
          domain: { name: domain },
          envelope: {
            transport: 'smtp',
            sender: message.from === undefined ? '' : bareAddress(message.from),
            'sending-ip': '127.0.0.1',
            targets: recipient,
          },
          flags: {
            'is-routed': false,
            'is-authenticated': true,
            'is-system-test': false,
            'is-test-mode': false,
          },
          message: {
            headers: {
              to: message.to.join(', '),
              'message-id': messageId,
              from: message.from ?? '',
              subject: message.subject ?? '',
            },
            attachments: [],
            size: Buffer.byteLength(`${message.text ?? ''}${message.html ?? ''}`),
          },
          tags,
          campaigns: [],
          'user-variables': userVariables,
        },
      };
      return {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      };
    },
  };
}
