import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import type { ProviderEventType } from '../contracts/notification-record';
import {
  type Verification,
  type VerifiedEvent,
  type WebhookRequest,
  fresh,
  header,
  refuse,
} from './verified-event';

/** SendGrid event names Herald records, and what each means for the notification. */
const TYPE_OF: Readonly<Record<string, ProviderEventType>> = {
  delivered: 'delivered',
  bounce: 'bounced',
  dropped: 'bounced',
  deferred: 'deferred',
  spamreport: 'complained',
  unsubscribe: 'unsubscribed',
  group_unsubscribe: 'unsubscribed',
};

/**
 * The suppression an event calls for: a `bounce` event of type `bounce` (a `blocked` one is
 * soft: SendGrid's own classification), a spam report, an unsubscribe.
 */
function suppressionOf(raw: SendgridEvent): VerifiedEvent['suppress'] {
  if (typeof raw.email !== 'string' || raw.email === '') return undefined;
  const recipients = [raw.email];
  switch (raw.event) {
    case 'bounce':
      return raw.type === 'blocked' ? undefined : { reason: 'hard_bounce', recipients };
    case 'spamreport':
      return { reason: 'complaint', recipients };
    case 'unsubscribe':
    case 'group_unsubscribe':
      return { reason: 'unsubscribe', recipients };
    default:
      return undefined;
  }
}

interface SendgridEvent {
  readonly event?: unknown;
  readonly sg_event_id?: unknown;
  readonly sg_message_id?: unknown;
  readonly timestamp?: unknown;
  readonly reason?: unknown;
  readonly status?: unknown;
  readonly email?: unknown;
  /** Of a `bounce` event: `bounce` (hard) or `blocked` (soft). */
  readonly type?: unknown;
}

/**
 * SendGrid's Signed Event Webhook: an ECDSA P-256 signature over the timestamp header followed
 * by the raw body, verified with `@sendgrid/eventwebhook` and the key from SendGrid's settings.
 */
export class SendgridEventVerifier {
  private readonly webhook = new EventWebhook();
  private readonly key?: ReturnType<EventWebhook['convertPublicKeyToECDSA']>;

  constructor(
    publicKey: string | undefined,
    private readonly maxAgeSeconds: number,
  ) {
    if (publicKey) this.key = this.webhook.convertPublicKeyToECDSA(publicKey);
  }

  /** A malformed signature (not base64 DER) makes the library throw: it is simply invalid. */
  private signatureValid(body: Buffer, signature: string, timestamp: string): boolean {
    try {
      return this.webhook.verifySignature(this.key!, body, signature, timestamp);
    } catch {
      return false;
    }
  }

  verify(request: WebhookRequest): Verification {
    if (!this.key) return refuse('SENDGRID_WEBHOOK_PUBLIC_KEY is not configured');
    const signature = header(request, EventWebhookHeader.SIGNATURE().toLowerCase());
    const timestamp = header(request, EventWebhookHeader.TIMESTAMP().toLowerCase());
    if (!signature || !timestamp) return refuse('signature or timestamp header missing');
    if (!this.signatureValid(request.body, signature, timestamp)) return refuse('bad signature');
    if (!fresh(Number(timestamp), this.maxAgeSeconds)) return refuse('stale timestamp');
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body.toString('utf8'));
    } catch {
      return refuse('body is not JSON');
    }
    if (!Array.isArray(parsed)) return refuse('body is not an array of events');
    const events: VerifiedEvent[] = [];
    for (const raw of parsed as SendgridEvent[]) {
      if (typeof raw?.sg_event_id !== 'string' || typeof raw.sg_message_id !== 'string') continue;
      const type = typeof raw.event === 'string' ? TYPE_OF[raw.event] : undefined;
      // sg_message_id is the X-Message-Id returned at send, then `.filter…` per recipient.
      const providerMessageId = raw.sg_message_id.split('.')[0]!;
      const at = typeof raw.timestamp === 'number' ? raw.timestamp * 1000 : Date.now();
      const detail = [raw.status, raw.reason]
        .filter((v): v is string => typeof v === 'string')
        .join(' ')
        .slice(0, 200);
      const suppress = type ? suppressionOf(raw) : undefined;
      events.push({
        eventId: raw.sg_event_id,
        providerMessageId,
        ...(type
          ? {
              event: {
                type,
                provider: 'sendgrid' as const,
                at: new Date(at).toISOString(),
                ...(detail ? { detail } : {}),
              },
            }
          : {}),
        ...(suppress ? { suppress } : {}),
      });
    }
    return { ok: true, events };
  }
}
