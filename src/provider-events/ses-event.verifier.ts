import { createVerify } from 'node:crypto';
import type { ProviderEventType } from '../contracts/notification-record';
import { snsStringToSign } from '../sandbox/events/sns-signature';
import { SnsCertificates, originAllowed } from './sns-certificates';
import { type VerifiedEvent, refuse, type Verification } from './verified-event';

/** An SNS message as posted to an HTTP subscription. */
interface SnsMessage {
  readonly Type?: unknown;
  readonly MessageId?: unknown;
  readonly TopicArn?: unknown;
  readonly Message?: unknown;
  readonly Timestamp?: unknown;
  readonly SignatureVersion?: unknown;
  readonly Signature?: unknown;
  readonly SigningCertURL?: unknown;
  readonly SubscribeURL?: unknown;
}

/** SES's event JSON inside a Notification (identity notifications or event publishing). */
interface SesMessage {
  readonly notificationType?: string;
  readonly eventType?: string;
  readonly mail?: { messageId?: string };
  readonly bounce?: {
    bounceType?: string;
    bounceSubType?: string;
    timestamp?: string;
    bouncedRecipients?: unknown;
  };
  readonly delivery?: { timestamp?: string };
  readonly complaint?: {
    timestamp?: string;
    complaintFeedbackType?: string;
    complainedRecipients?: unknown;
  };
  readonly deliveryDelay?: { timestamp?: string; delayType?: string };
}

/** A verified SNS request: SES events, or a subscription to confirm. */
export type SnsVerification = Verification & { readonly subscribeUrl?: string };

/**
 * SES events through SNS: the message's signature (version 1 SHA1withRSA or 2 SHA256withRSA over
 * AWS's canonical string) is checked with the certificate at `SigningCertURL`, which is fetched
 * only from an allowed origin, and the topic must be one Herald subscribed to. Hand-written: the
 * maintained validators (`sns-validator`, `sns-payload-validator`) fetch only over https and
 * allow only AWS hosts, so they cannot serve the simulator nor a configured allowlist.
 */
export class SesEventVerifier {
  private readonly certificates: SnsCertificates;

  constructor(
    private readonly topicArns: readonly string[],
    private readonly origins: readonly string[],
  ) {
    this.certificates = new SnsCertificates(origins);
  }

  async verify(body: Buffer): Promise<SnsVerification> {
    let message: SnsMessage;
    try {
      message = JSON.parse(body.toString('utf8')) as SnsMessage;
    } catch {
      return refuse('body is not JSON');
    }
    const { Type, TopicArn, SigningCertURL, Signature, SignatureVersion } = message ?? {};
    if (typeof Type !== 'string' || typeof TopicArn !== 'string') {
      return refuse('Type or TopicArn missing');
    }
    if (!this.topicArns.includes(TopicArn)) return refuse('topic not allowed');
    if (typeof Signature !== 'string' || typeof SigningCertURL !== 'string') {
      return refuse('signature missing');
    }
    if (!this.certificates.allowed(SigningCertURL)) return refuse('certificate URL not allowed');
    const algorithm =
      SignatureVersion === '1' ? 'RSA-SHA1' : SignatureVersion === '2' ? 'RSA-SHA256' : undefined;
    if (!algorithm) return refuse('unknown SignatureVersion');
    let canonical: string;
    try {
      canonical = snsStringToSign(message as Record<string, unknown>);
    } catch {
      return refuse('unknown message Type');
    }
    let valid: boolean;
    try {
      const certificate = await this.certificates.get(SigningCertURL);
      valid = createVerify(algorithm)
        .update(canonical, 'utf8')
        .verify(certificate.publicKey, Signature, 'base64');
    } catch {
      return refuse('certificate unavailable or signature unreadable');
    }
    if (!valid) return refuse('bad signature');

    if (Type === 'SubscriptionConfirmation') {
      const url = message.SubscribeURL;
      if (typeof url !== 'string' || !originAllowed(url, this.origins)) {
        return refuse('SubscribeURL not allowed');
      }
      return { ok: true, events: [], subscribeUrl: url };
    }
    if (Type !== 'Notification') return { ok: true, events: [] };
    return { ok: true, events: eventsOf(message) };
  }
}

function eventsOf(message: SnsMessage): VerifiedEvent[] {
  if (typeof message.MessageId !== 'string' || typeof message.Message !== 'string') return [];
  let ses: SesMessage;
  try {
    ses = JSON.parse(message.Message) as SesMessage;
  } catch {
    return [];
  }
  const messageId = ses.mail?.messageId;
  if (typeof messageId !== 'string') return [];
  const kind = ses.notificationType ?? ses.eventType;
  let type: ProviderEventType | undefined;
  let at: string | undefined;
  let detail: string | undefined;
  let suppress: VerifiedEvent['suppress'];
  switch (kind) {
    case 'Delivery':
      type = 'delivered';
      at = ses.delivery?.timestamp;
      break;
    case 'Bounce':
      type = ses.bounce?.bounceType === 'Permanent' ? 'bounced' : 'deferred';
      at = ses.bounce?.timestamp;
      detail = [ses.bounce?.bounceType, ses.bounce?.bounceSubType].filter(Boolean).join(' ');
      if (type === 'bounced') {
        suppress = { reason: 'hard_bounce', recipients: addresses(ses.bounce?.bouncedRecipients) };
      }
      break;
    case 'Complaint':
      type = 'complained';
      at = ses.complaint?.timestamp;
      detail = ses.complaint?.complaintFeedbackType;
      suppress = {
        reason: 'complaint',
        recipients: addresses(ses.complaint?.complainedRecipients),
      };
      break;
    case 'DeliveryDelay':
      type = 'deferred';
      at = ses.deliveryDelay?.timestamp;
      detail = ses.deliveryDelay?.delayType;
      break;
  }
  const when = at && !Number.isNaN(Date.parse(at)) ? at : String(message.Timestamp ?? '');
  const iso = Number.isNaN(Date.parse(when))
    ? new Date().toISOString()
    : new Date(when).toISOString();
  return [
    {
      eventId: message.MessageId,
      providerMessageId: messageId,
      ...(type
        ? {
            event: {
              type,
              provider: 'ses' as const,
              at: iso,
              ...(detail ? { detail: detail.slice(0, 200) } : {}),
            },
          }
        : {}),
      ...(suppress && suppress.recipients.length > 0 ? { suppress } : {}),
    },
  ];
}

/** The addresses of SES's `bouncedRecipients` / `complainedRecipients` (at most 50, as SES sends). */
function addresses(list: unknown): string[] {
  return Array.isArray(list)
    ? list
        .map((r) => (r as { emailAddress?: unknown } | null)?.emailAddress)
        .filter((a): a is string => typeof a === 'string' && a !== '')
        .slice(0, 50)
    : [];
}
