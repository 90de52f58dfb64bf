import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { Client } from '@sendgrid/client';
import type { ClientRequest } from '@sendgrid/client/src/request';
import type { ClientResponse } from '@sendgrid/client/src/response';
import { classes } from '@sendgrid/helpers';
import { ProviderRequestContext } from './provider-request-context';

/** The request `Client.createRequest` builds: axios options, as @sendgrid/client writes them. */
interface BuiltRequest {
  readonly url: string;
  readonly baseURL?: string;
  readonly method?: string;
  readonly data?: unknown;
  readonly params?: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

/** An answer as @sendgrid/helpers' `ResponseError` reads it (axios's response shape). */
interface RawResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly data: unknown;
}

/**
 * A @sendgrid/client `Client` that sends its requests with node:http rather than axios, and
 * whose requests can be aborted.
 *
 * The channel hands `Client.request()` the finished Mail Send request, as @sendgrid/mail's
 * `MailService.send` does (which lets an application give it its own client,
 * `MailService.setClient`). `Client.request()` itself is a thin call of axios, whose request
 * and response pipeline (interceptors, proxy and redirect handling, header objects, the
 * follow-redirects stream) cost a delivery more CPU than the rest of the channel. This one sends
 * the same request — same URL, headers and JSON body — through Node's keep-alive agent and
 * answers as `Client.request()` does: `[Response, body]`, or the SDK's `ResponseError` for a
 * status of 400 or more, so the channel and its error mapping see the SDK's own shapes.
 *
 * - The current send's signal (see {@link ProviderRequestContext}) aborts the request itself
 *   and closes its connection: the deadline cancels, it does not merely stop waiting.
 * - The SDK's `timeout` (its default request's `timeout`) is kept as axios applied it: the request is
 *   destroyed with code `ECONNABORTED` when it passes.
 * - No retries and no redirects, as with axios for a POST answered 202; no HTTP(S)_PROXY
 *   environment proxy: a forward proxy is SENDGRID_BASE_URL.
 */
export class AbortableSendgridClient extends Client {
  /** Where the last request went: every request of a channel goes to the same URL. */
  private lastTarget?: { readonly url: string; readonly target: RequestTarget };

  override createRequest(data: ClientRequest): ClientRequest {
    // A new object each time (the SDK merges into a copy): the signal can be set on it.
    const options = super.createRequest(data) as { signal?: AbortSignal };
    const current = ProviderRequestContext.current();
    if (current) options.signal = current.signal;
    return options as ClientRequest;
  }

  override request(
    data: ClientRequest,
    cb?: Parameters<Client['request']>[1],
  ): Promise<[ClientResponse, unknown]> {
    if (cb !== undefined) throw new Error('AbortableSendgridClient.request takes no callback');
    let built: BuiltRequest;
    let target: RequestTarget;
    try {
      built = this.createRequest(data) as unknown as BuiltRequest;
      target = this.targetOf(built);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return send(built, target).then((response) => {
      if (response.status >= 400) throw new classes.ResponseError(response as never);
      if (response.status < 200 || response.status >= 300) {
        throw Object.assign(new Error(`SendGrid answered HTTP ${response.status}`), {
          code: 'ERR_BAD_RESPONSE',
        });
      }
      const answer = new classes.Response(
        response.status,
        response.data as never,
        response.headers as never,
      );
      return [answer as unknown as ClientResponse, response.data];
    });
  }

  /**
   * The request's URL as node:http takes it apart, parsed once per URL rather than per request
   * (all of a channel's requests go to one); with query parameters, parsed each time.
   */
  private targetOf(built: BuiltRequest): RequestTarget {
    const joined = joinedUrl(built);
    if (built.params && Object.keys(built.params).length > 0) return targetOf(joined, built.params);
    if (this.lastTarget?.url !== joined) {
      this.lastTarget = { url: joined, target: targetOf(joined, undefined) };
    }
    return this.lastTarget.target;
  }
}

/** A URL as node:http's `request(url, options)` takes it apart (`urlToHttpOptions`). */
type RequestTarget = Readonly<ReturnType<typeof urlToHttpOptions>>;

/** axios's URL rule: an absolute `url` stands alone, else it is joined to `baseURL`. */
function joinedUrl(built: BuiltRequest): string {
  const absolute = /^[a-z][a-z\d+\-.]*:\/\//i.test(built.url);
  return absolute || !built.baseURL
    ? built.url
    : `${built.baseURL.replace(/\/+$/, '')}/${built.url.replace(/^\/+/, '')}`;
}

function targetOf(joined: string, params: Record<string, unknown> | undefined): RequestTarget {
  const url = new URL(joined);
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null) url.searchParams.append(key, String(value));
  }
  return urlToHttpOptions(url);
}

/** A request's body as axios sends it: a string as it is, anything else as JSON. */
function bodyOf(data: unknown): string | undefined {
  if (data === undefined || data === null) return undefined;
  return typeof data === 'string' ? data : JSON.stringify(data);
}

/** A response body as axios gives it: parsed when it is JSON, else the text ('' when empty). */
function parsed(text: string): unknown {
  if (text === '') return '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`timeout of ${ms}ms exceeded`), { code: 'ECONNABORTED' });
}

function send(built: BuiltRequest, target: RequestTarget): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    const { signal } = built;
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const body = bodyOf(built.data);
    // A new object each time (the SDK merges into a copy): the length can be set on it.
    const { headers } = built;
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    const call = target.protocol === 'https:' ? httpsRequest : httpRequest;
    // What `request(url, options)` does with a URL: its parts, then the options over them.
    const req = call(
      {
        ...target,
        method: (built.method ?? 'GET').toUpperCase(),
        headers,
        ...(signal ? { signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: res.headers,
            data: parsed(Buffer.concat(chunks).toString('utf8')),
          }),
        );
        res.on('error', reject);
        // Cut off mid-body (an abort, the deadline timer, a reset): never a partial answer.
        res.on('close', () => {
          if (!res.complete) reject(closedError(signal));
        });
      },
    );
    req.on('error', reject);
    const timeoutMs = built.timeout;
    if (timeoutMs !== undefined && timeoutMs > 0) {
      const timer = setTimeout(() => req.destroy(timeoutError(timeoutMs)), timeoutMs);
      req.once('close', () => clearTimeout(timer));
    }
    req.end(body);
  });
}

/** Why a response ended before its body did: the abort that caused it, else a reset. */
function closedError(signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return signal.reason as Error;
  return Object.assign(new Error('the connection closed before the answer was complete'), {
    code: 'ECONNRESET',
  });
}
