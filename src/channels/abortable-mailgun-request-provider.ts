import type { Interfaces } from 'mailgun.js/definitions';
import { ProviderRequestContext } from './provider-request-context';

type RequestProvider = Interfaces.IRequestProvider;
type MakeRequest = RequestProvider['makeRequest'];

/**
 * Wraps mailgun.js's request provider (the public `client.request.requestProvider`) so the
 * current send's signal reaches axios. mailgun.js builds its axios options from its own
 * fields plus the `{params, data}` object handed to `makeRequest`, which it spreads into
 * them; its public calls (`messages.create`) take no per-request options, so without this
 * a deadline could not abort the HTTP request, only abandon it.
 */
export class AbortableMailgunRequestProvider implements RequestProvider {
  constructor(private readonly inner: RequestProvider) {}

  makeRequest(...[url, method, data, config]: Parameters<MakeRequest>): ReturnType<MakeRequest> {
    const current = ProviderRequestContext.current();
    const withSignal = current ? { ...(data as object), signal: current.signal } : data;
    return this.inner.makeRequest(url, method, withSignal as Parameters<MakeRequest>[2], config);
  }

  setSubAccountHeader(subAccountId: string): void {
    this.inner.setSubAccountHeader(subAccountId);
  }

  resetSubAccountHeader(): void {
    this.inner.resetSubAccountHeader();
  }
}
