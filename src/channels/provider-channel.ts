import type { ChannelKind, ProviderName } from '../config/config.schema';
import type { NotificationMessage } from '../notifications/notification-message.schema';
import { ChannelError, type ChannelErrorClass, parseRetryAfter } from './channel-error';
import { abortedBeforeSend, classOfHttpStatus, httpDetail } from './failure-classification';
import type { NotificationChannel, SendContext, SendResult } from './notification-channel';
import { NOTIFICATION_ID_FIELD } from './notification-id';
import { type ProviderRequest, ProviderRequestContext } from './provider-request-context';

/** The message type a channel of kind `K` sends. */
export type MessageOf<K extends ChannelKind> = Extract<NotificationMessage, { channel: K }>;

/**
 * The steps every channel shares, once: refuse a send whose deadline already passed, run the
 * SDK call inside its {@link ProviderRequestContext} (signal and notification id for the
 * transport), shape the result, and turn any failure into a `ChannelError`. A channel is then
 * its payload mapping ({@link toRequest}), its SDK call, and its vendor-code table
 * ({@link classify}); each SDK's traps are documented where the subclass handles them.
 */
export abstract class ProviderChannel<
  K extends ChannelKind,
  Request,
  Response,
> implements NotificationChannel<K> {
  abstract readonly provider: ProviderName;
  abstract readonly kind: K;

  /**
   * The SDK call's arguments for this message. May throw a `ChannelError` (no sender), which
   * then leaves `send` as is: nothing was sent.
   */
  protected abstract toRequest(message: MessageOf<K>, notificationId: string): Request;

  /** Makes the SDK call; runs inside the send's {@link ProviderRequestContext}. */
  protected abstract call(request: Request, call: ProviderRequest): Promise<Response>;

  /** The provider's id of the message it accepted, read from its answer. */
  protected abstract messageIdOf(response: Response): string | undefined;

  /** What an SDK failure means for delivery. */
  protected abstract classify(err: unknown, call: ProviderRequest): ChannelError;

  async send(message: MessageOf<K>, { signal, notificationId }: SendContext): Promise<SendResult> {
    if (signal.aborted) throw abortedBeforeSend();
    const request = this.toRequest(message, notificationId);
    const call: ProviderRequest = { signal, notificationId };
    try {
      const response = await ProviderRequestContext.run(call, () => this.call(request, call));
      return {
        providerMessageId: this.messageIdOf(response) ?? '',
        acceptedAt: new Date().toISOString(),
      };
    } catch (err) {
      throw this.classify(err, call);
    }
  }
}

/** The message's metadata with Herald's notification id, as every provider's custom fields carry them. */
export function customFields(
  message: { readonly metadata?: Readonly<Record<string, string>> },
  notificationId: string,
): Record<string, string> {
  return { ...message.metadata, [NOTIFICATION_ID_FIELD]: notificationId };
}

/** An HTTP error answer, as {@link httpFailure} classifies it. */
export interface HttpFailure {
  readonly status: number;
  /** The provider's own words (made safe before they are kept). */
  readonly words?: unknown;
  /** Sharper than the status, when the provider's code says more. */
  readonly errorClass?: ChannelErrorClass;
  readonly providerCode?: string | number;
  /** The raw Retry-After header, when the SDK exposes it. */
  readonly retryAfter?: unknown;
  readonly cause: unknown;
}

/**
 * The `ChannelError` of an HTTP error answer: its class (the provider's code, else the
 * status), a safe detail, and a Retry-After only when the provider throttled: any other class
 * has no business with a cool-down.
 */
export function httpFailure(failure: HttpFailure): ChannelError {
  const errorClass = failure.errorClass ?? classOfHttpStatus(failure.status);
  return new ChannelError(errorClass, httpDetail(failure.status, failure.words), {
    status: failure.status,
    ...(failure.providerCode === undefined ? {} : { providerCode: failure.providerCode }),
    ...(errorClass === 'throttled' ? { retryAfterMs: parseRetryAfter(failure.retryAfter) } : {}),
    cause: failure.cause,
  });
}
