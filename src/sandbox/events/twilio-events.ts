import { createHmac, randomUUID } from 'node:crypto';
import type { SmsEventKind } from './event-kinds';
import { type EventSource, type OutboundEvent, rawFields } from './outbound-event';

const stringOf = (v: unknown): string | undefined =>
  typeof (Array.isArray(v) ? v[0] : v) === 'string'
    ? String(Array.isArray(v) ? v[0] : v)
    : undefined;

/**
 * Twilio's `X-Twilio-Signature`: HMAC-SHA1, keyed by the auth token, over the full URL the
 * request is posted to followed by every POST parameter's name and value, sorted by name;
 * base64. Hand-written (a few lines) so the specs check it against Twilio's own
 * `validateRequest`, an implementation that is not this one.
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Readonly<Record<string, string>>,
): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/**
 * One Twilio status callback: a form POST to the send's `StatusCallback` URL (the
 * configured URL when the send had none) with the parameters Twilio documents for
 * messages (`MessageSid`, `MessageStatus`, `ErrorCode` on `undelivered`/`failed`, and the
 * legacy `SmsSid`/`SmsStatus`), signed with `X-Twilio-Signature`. Twilio gives no event
 * id; its `I-Twilio-Idempotency-Token` header names the callback, the same on a retry.
 */
export function twilioEvent(
  source: EventSource,
  account: { accountSid: string; authToken: string },
): OutboundEvent {
  const { message, event, url } = source;
  const kind = event.kind as SmsEventKind;
  const raw = rawFields(message);
  const token = randomUUID();
  const params: Record<string, string> = {
    SmsSid: message.id,
    SmsStatus: kind,
    MessageStatus: kind,
    To: event.recipient,
    MessageSid: message.id,
    AccountSid: account.accountSid,
    From: stringOf(raw.From) ?? message.from ?? '',
    ApiVersion: '2010-04-01',
    ...(event.errorCode === undefined ? {} : { ErrorCode: String(event.errorCode) }),
  };
  const messagingServiceSid = stringOf(raw.MessagingServiceSid);
  if (messagingServiceSid) params.MessagingServiceSid = messagingServiceSid;

  return {
    provider: 'twilio',
    eventId: token,
    kind,
    type: kind,
    messageId: message.id,
    ...(message.notificationId === undefined ? {} : { notificationId: message.notificationId }),
    recipient: event.recipient,
    url,
    build() {
      return {
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'user-agent': 'TwilioProxy/1.1',
          'i-twilio-idempotency-token': token,
          'x-twilio-signature': twilioSignature(account.authToken, url, params),
        },
        body: new URLSearchParams(params).toString(),
      };
    },
  };
}

/** The `StatusCallback` of the accepted send, if it gave a usable one. */
export function statusCallbackOf(source: Pick<EventSource, 'message'>): string | undefined {
  const value = stringOf(rawFields(source.message).StatusCallback);
  return value !== undefined && URL.canParse(value) ? value : undefined;
}
