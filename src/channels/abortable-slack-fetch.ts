import type { FetchFunction } from '@slack/web-api';
import { ProviderRequestContext } from './provider-request-context';

/**
 * The `fetch` @slack/web-api's documented transport option gets: the current send's signal
 * (see {@link ProviderRequestContext}) joins the WebClient's own timeout signal, so the
 * deadline aborts the HTTP request itself; the raw status and headers are kept, for a 429
 * the WebClient turns into a plain Error when its Retry-After is missing.
 */
export function abortableSlackFetch(inner: FetchFunction = globalThis.fetch): FetchFunction {
  return async (url, init = {}) => {
    const current = ProviderRequestContext.current();
    if (!current) return inner(url, init);
    const signal = init.signal ? AbortSignal.any([init.signal, current.signal]) : current.signal;
    const response = await inner(url, { ...init, signal });
    current.response = {
      status: response.status,
      headers: Object.fromEntries(
        [...response.headers.entries()].map(([k, v]) => [k.toLowerCase(), v]),
      ),
    };
    return response;
  };
}
