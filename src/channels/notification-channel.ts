import type { ChannelKind, ProviderName } from '../config/config.schema';
import type { NotificationMessage } from '../notifications/notification-message.schema';

/** What a channel needs besides the message for one send. */
export interface SendContext {
  /** Aborts the HTTP request itself at the deadline, so a late answer cannot complete behind Herald's back. */
  readonly signal: AbortSignal;
  /** Herald's id, passed to the provider so a delivery can be traced back. */
  readonly notificationId: string;
}

/** What a provider answered when it accepted a message. */
export interface SendResult {
  readonly providerMessageId: string;
  /** ISO 8601 time the provider accepted it. */
  readonly acceptedAt: string;
}

/**
 * One provider, as a strategy: turns Herald's message into its SDK's call and classifies
 * that SDK's failures as `ChannelError`s. A channel never retries, fails over or keeps
 * breaker state: the delivery engine owns all of that.
 */
export interface NotificationChannel<K extends ChannelKind = ChannelKind> {
  readonly provider: ProviderName;
  readonly kind: K;
  /** Resolves when the provider accepted the message; rejects with a `ChannelError` otherwise. */
  send(
    message: Extract<NotificationMessage, { channel: K }>,
    context: SendContext,
  ): Promise<SendResult>;
}
