import { AsyncLocalStorage } from 'node:async_hooks';

/** The raw answer a transport saw, for SDKs whose errors drop it (headers, status). */
export interface ObservedResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, unknown>>;
}

/** One provider call as the SDK's transport layer sees it. */
export interface ProviderRequest {
  /** Aborts the HTTP request itself. */
  readonly signal: AbortSignal;
  readonly notificationId: string;
  /** Filled in by transports that see the answer before the SDK turns it into an error. */
  response?: ObservedResponse;
}

/**
 * Carries the current send's signal and notification id down to the HTTP layer of SDKs
 * whose public call takes no per-request options (@sendgrid/client, mailgun.js, twilio,
 * @slack/web-api). Each channel runs its SDK call inside {@link ProviderRequestContext.run};
 * its transport adapter reads {@link ProviderRequestContext.current} when it builds the
 * request. AsyncLocalStorage rather than a field on the shared client, because one client
 * serves many concurrent sends.
 */
export class ProviderRequestContext {
  private static readonly storage = new AsyncLocalStorage<ProviderRequest>();

  static run<T>(request: ProviderRequest, call: () => Promise<T>): Promise<T> {
    return ProviderRequestContext.storage.run(request, call);
  }

  /** The send in progress in this async context, if any. */
  static current(): ProviderRequest | undefined {
    return ProviderRequestContext.storage.getStore();
  }
}
