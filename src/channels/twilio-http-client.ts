import twilio from 'twilio';
import { NOTIFICATION_ID_HEADER } from './notification-id';
import { ProviderRequestContext } from './provider-request-context';

type RequestOptions<T> = Parameters<twilio.RequestClient['request']>[0] & { data?: T };

/** The origin every twilio request is addressed to, whatever the SDK's region or edge. */
const TWILIO_API_ORIGIN = /^https:\/\/[^/]+/;

/**
 * The twilio SDK's documented extension point for its transport (`httpClient`), used to:
 * - make each request abortable: the current send's signal (see {@link ProviderRequestContext})
 *   is put on the axios options, which `RequestClient.request()` builds without one;
 * - send it to TWILIO_BASE_URL when set, by replacing the origin (the SDK's own `baseUrl`
 *   route mangles local hosts once TWILIO_REGION or TWILIO_EDGE is set);
 * - pass Herald's notification id as a header, Twilio's Messages API having no custom field;
 * - keep the raw answer's status and headers (a 429's Retry-After), which `RestException` drops;
 * - never log: the SDK's debug logging prints request bodies.
 */
export class TwilioHttpClient extends twilio.RequestClient {
  private readonly baseUrl?: string;

  constructor(options: { readonly baseUrl?: string; readonly timeoutMs: number }) {
    // autoRetry stays off: Herald alone decides about retries.
    super({ timeout: options.timeoutMs, autoRetry: false });
    this.baseUrl = options.baseUrl?.replace(/\/+$/, '');
    this.axios.interceptors.request.use((config) => {
      const current = ProviderRequestContext.current();
      if (current) config.signal = current.signal;
      return config;
    });
  }

  override async request<T>(opts: RequestOptions<T>) {
    const current = ProviderRequestContext.current();
    const response = await super.request<T>({
      ...opts,
      uri: this.baseUrl ? opts.uri.replace(TWILIO_API_ORIGIN, this.baseUrl) : opts.uri,
      headers: {
        ...opts.headers,
        ...(current ? { [NOTIFICATION_ID_HEADER]: current.notificationId } : {}),
      },
      logLevel: undefined,
    });
    if (current) {
      current.response = {
        status: response.statusCode,
        headers: (response.headers ?? {}) as Record<string, unknown>,
      };
    }
    return response;
  }
}
