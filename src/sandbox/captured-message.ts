import type { SimulatedProvider } from './provider-behaviour';

/** A message a simulated provider accepted: what would have gone out. */
export interface CapturedMessage {
  /** The provider's message id, as returned to the SDK (Slack: the message `ts`). */
  readonly id: string;
  readonly provider: SimulatedProvider;
  /** ISO 8601 time of arrival. */
  readonly receivedAt: string;
  /** E-mail addresses, the E.164 number (Twilio) or the channel id (Slack). */
  readonly to: readonly string[];
  readonly from?: string;
  readonly cc?: readonly string[];
  readonly bcc?: readonly string[];
  readonly replyTo?: string;
  readonly subject?: string;
  readonly text?: string;
  readonly html?: string;
  /** The provider's custom fields other than Herald's notification id, as strings. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Herald's notification id, when the request carried one (see `ProviderSimulator`). */
  readonly notificationId?: string;
  /** The parsed request body, as received (multipart files replaced by their name and size). */
  readonly raw: unknown;
}

/** Narrows `ProviderSimulator.messages()`; every given field must match. */
export interface MessageFilter {
  readonly provider?: SimulatedProvider;
  /** Matches a message with this address among its `to` (case-insensitive). */
  readonly to?: string;
  readonly notificationId?: string;
}
