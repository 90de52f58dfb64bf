import twilio from 'twilio';
import type { ProviderEventType } from '../contracts/notification-record';
import { type Verification, type WebhookRequest, header, refuse } from './verified-event';

/** Twilio's error code for a recipient who replied STOP: Herald suppresses the number. */
export const TWILIO_UNSUBSCRIBED = '21610';

const TYPE_OF: Readonly<Record<string, ProviderEventType>> = {
  sent: 'sent',
  delivered: 'delivered',
  undelivered: 'undelivered',
  // Failed at Twilio after it accepted the message: it never reached the handset.
  failed: 'undelivered',
};

/**
 * Twilio status callbacks: `X-Twilio-Signature` over Herald's public URL of the request and its
 * form parameters, verified by `twilio.validateRequest` (a constant-time compare) with the
 * account's auth token.
 */
export class TwilioEventVerifier {
  constructor(
    private readonly authToken: string | undefined,
    private readonly publicUrl: string | undefined,
  ) {}

  verify(request: WebhookRequest): Verification {
    if (!this.authToken || !this.publicUrl) {
      return refuse('TWILIO_AUTH_TOKEN or HERALD_PUBLIC_URL is not configured');
    }
    const signature = header(request, 'x-twilio-signature');
    if (!signature) return refuse('signature missing');
    const params = Object.fromEntries(new URLSearchParams(request.body.toString('utf8')));
    const url = this.publicUrl + request.url;
    if (!twilio.validateRequest(this.authToken, signature, url, params)) {
      return refuse('bad signature');
    }
    const sid = params.MessageSid;
    const status = params.MessageStatus;
    if (!sid || !status) return refuse('MessageSid or MessageStatus missing');
    const type = TYPE_OF[status];
    // The idempotency token names one callback; without it, a status happens once per message.
    const eventId = header(request, 'i-twilio-idempotency-token') ?? `${sid}:${status}`;
    return {
      ok: true,
      events: [
        {
          eventId,
          providerMessageId: sid,
          ...(type
            ? {
                event: {
                  type,
                  provider: 'twilio' as const,
                  // Twilio's callback carries no time: it is when Herald heard of it.
                  at: new Date().toISOString(),
                  ...(params.ErrorCode ? { detail: `error ${params.ErrorCode.slice(0, 10)}` } : {}),
                },
              }
            : {}),
          ...(params.ErrorCode === TWILIO_UNSUBSCRIBED && params.To
            ? { suppress: { reason: 'unsubscribe' as const, recipients: [params.To] } }
            : {}),
        },
      ],
    };
  }
}
