import type { ProviderName } from '../config/config.schema';
import type { ProviderEvent } from '../contracts/notification-record';
import type { SuppressionReason } from '../suppression/suppression-entry';

/** One provider event whose signature checked out, in Herald's terms. */
export interface VerifiedEvent {
  /** The provider's id of the event: repeats of one event share it. */
  readonly eventId: string;
  /** The message id the provider returned when it accepted the send. */
  readonly providerMessageId: string;
  /** What is recorded; undefined for an event kind Herald does not track (acknowledged only). */
  readonly event?: ProviderEvent;
  /**
   * Recipients the event says must not be sent to again (a hard bounce, a complaint, an
   * unsubscribe), as the provider names them. Never logged nor recorded in clear.
   */
  readonly suppress?: {
    readonly reason: Exclude<SuppressionReason, 'manual'>;
    readonly recipients: readonly string[];
  };
}

/** A raw webhook request, as the route hands it to a verifier. */
export interface WebhookRequest {
  readonly provider: ProviderName;
  /** Path and query string, as requested (`/v1/provider-events/twilio?…`). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** A verifier's answer: the events, or why the request is refused (nothing is processed). */
export type Verification =
  | { readonly ok: true; readonly events: readonly VerifiedEvent[] }
  | { readonly ok: false; readonly reason: string };

export const refuse = (reason: string): Verification => ({ ok: false, reason });

/** The first value of a header. */
export function header(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Whether a signed Unix timestamp (seconds) is within `maxAgeSeconds` of now, either way. */
export function fresh(
  timestampSeconds: number,
  maxAgeSeconds: number,
  nowMs = Date.now(),
): boolean {
  return (
    Number.isFinite(timestampSeconds) && Math.abs(nowMs / 1000 - timestampSeconds) <= maxAgeSeconds
  );
}
