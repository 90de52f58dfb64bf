import type { CapturedMessage } from '../captured-message';
import type { EventKind, EventProvider, PlannedEvent } from './event-kinds';

/** An HTTP request a provider sends to a webhook, exactly as it goes on the wire. */
export interface OutboundRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * One event ready to be delivered: the provider's ids (so a receiver can de-duplicate) and
 * how to build its signed request, which happens when it is sent, as the timestamps say.
 */
export interface OutboundEvent {
  readonly provider: EventProvider;
  /** The provider's event id: SendGrid `sg_event_id`, Mailgun `id`, SNS `MessageId`, Twilio `I-Twilio-Idempotency-Token`. */
  readonly eventId: string;
  /** Herald's name of the event (`subscription-confirmation` for SNS's handshake). */
  readonly kind: EventKind | 'subscription-confirmation';
  /** The provider's own name of it: `spamreport`, `failed`, `Bounce`, `undelivered`… */
  readonly type: string;
  /** The provider message id returned at send (none for the SNS handshake). */
  readonly messageId?: string;
  readonly notificationId?: string;
  readonly recipient?: string;
  readonly url: string;
  build(): OutboundRequest | Promise<OutboundRequest>;
}

/** What a provider's event builder is given for one planned event. */
export interface EventSource {
  readonly message: CapturedMessage;
  readonly event: PlannedEvent;
  /** Where the event goes. */
  readonly url: string;
}

/** The parsed body of the accepted request, as an object. */
export function rawFields(message: CapturedMessage): Record<string, unknown> {
  const raw = message.raw;
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw)
    ? (raw as Record<string, unknown>)
    : {};
}

/** Bare address of `Name <a@b>` or `a@b`. */
export function bareAddress(recipient: string): string {
  const match = /<([^>]+)>\s*$/.exec(recipient);
  return (match ? match[1]! : recipient).trim();
}

export const unixSeconds = (ms = Date.now()) => Math.floor(ms / 1000);
