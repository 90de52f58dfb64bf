import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ProviderEventType } from '../contracts/notification-record';
import { type Verification, type VerifiedEvent, fresh, refuse } from './verified-event';

interface MailgunPayload {
  readonly signature?: { timestamp?: unknown; token?: unknown; signature?: unknown };
  readonly 'event-data'?: {
    readonly id?: unknown;
    readonly event?: unknown;
    readonly severity?: unknown;
    readonly timestamp?: unknown;
    readonly reason?: unknown;
    readonly recipient?: unknown;
    readonly message?: { headers?: { 'message-id'?: unknown } };
    readonly 'delivery-status'?: { code?: unknown };
  };
}

/** A Mailgun request whose signature checked out, and the token to check against replays. */
export type MailgunVerification = Verification & {
  /** The signed token and a digest of the body: a token seen with another body is a replay. */
  readonly replay?: { readonly token: string; readonly bodyDigest: string };
};

/**
 * Mailgun's webhook signature: hex HMAC-SHA256 of timestamp + token keyed by the webhook
 * signing key, compared in constant time. Hand-written: Mailgun documents exactly this and its
 * SDK has no verifier. The signature does not cover the body, hence the token replay check the
 * caller runs with {@link MailgunVerification.replay}.
 */
export class MailgunEventVerifier {
  constructor(
    private readonly signingKey: string | undefined,
    private readonly maxAgeSeconds: number,
  ) {}

  verify(body: Buffer): MailgunVerification {
    if (!this.signingKey) return refuse('MAILGUN_WEBHOOK_SIGNING_KEY is not configured');
    let payload: MailgunPayload;
    try {
      payload = JSON.parse(body.toString('utf8')) as MailgunPayload;
    } catch {
      return refuse('body is not JSON');
    }
    const s = payload?.signature;
    if (
      typeof s?.timestamp !== 'string' ||
      typeof s.token !== 'string' ||
      typeof s.signature !== 'string'
    ) {
      return refuse('signature missing');
    }
    const expected = createHmac('sha256', this.signingKey)
      .update(s.timestamp + s.token)
      .digest();
    const given = Buffer.from(s.signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return refuse('bad signature');
    }
    if (!fresh(Number(s.timestamp), this.maxAgeSeconds)) return refuse('stale timestamp');
    const data = payload['event-data'];
    const messageId = data?.message?.headers?.['message-id'];
    if (typeof data?.id !== 'string' || typeof messageId !== 'string') {
      return refuse('event-data.id or event-data.message.headers.message-id missing');
    }
    const type = typeOf(data.event, data.severity);
    const at = typeof data.timestamp === 'number' ? data.timestamp * 1000 : Date.now();
    const code = data['delivery-status']?.code;
    const detail = [typeof code === 'number' ? String(code) : undefined, data.reason]
      .filter((v): v is string => typeof v === 'string')
      .join(' ')
      .slice(0, 200);
    const event: VerifiedEvent = {
      eventId: data.id,
      providerMessageId: messageId,
      ...(type
        ? {
            event: {
              type,
              provider: 'mailgun' as const,
              at: new Date(at).toISOString(),
              ...(detail ? { detail } : {}),
            },
          }
        : {}),
      ...(type ? suppressionOf(type, data.recipient) : {}),
    };
    return {
      ok: true,
      events: [event],
      replay: { token: s.token, bodyDigest: createHash('sha256').update(body).digest('hex') },
    };
  }
}

function typeOf(event: unknown, severity: unknown): ProviderEventType | undefined {
  switch (event) {
    case 'delivered':
      return 'delivered';
    case 'complained':
      return 'complained';
    case 'unsubscribed':
      return 'unsubscribed';
    case 'failed':
      return severity === 'permanent' ? 'bounced' : 'deferred';
    default:
      return undefined;
  }
}

/** A permanent failure, a complaint or an unsubscribe suppresses its recipient. */
function suppressionOf(
  type: ProviderEventType,
  recipient: unknown,
): Pick<VerifiedEvent, 'suppress'> {
  if (typeof recipient !== 'string' || recipient === '') return {};
  const reason =
    type === 'bounced'
      ? 'hard_bounce'
      : type === 'complained'
        ? 'complaint'
        : type === 'unsubscribed'
          ? 'unsubscribe'
          : undefined;
  return reason ? { suppress: { reason, recipients: [recipient] } } : {};
}
