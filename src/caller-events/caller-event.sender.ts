import { Inject, Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';

/** What one post of an event came to. */
export type SendOutcome =
  | { readonly ok: true; readonly status: number }
  /** Not taken: a non-2xx answer (`status`; a 3xx included, never followed), or no answer. */
  | { readonly ok: false; readonly status?: number; readonly reason: string };

/**
 * Posts events to callers' endpoints, the one door to them: the body as given, signed per the
 * Standard Webhooks specification (`webhook-id`, `webhook-timestamp`, `webhook-signature`, one
 * `v1,` signature per secret, space-separated) with the `standardwebhooks` package. A post
 * has a deadline (HERALD_EVENT_DEADLINE_MS), follows no redirect (a 3xx is a refusal: an
 * endpoint must not send Herald's signed events somewhere else), and only a 2xx counts.
 */
@Injectable()
export class CallerEventSender {
  constructor(@Inject(HERALD_CONFIG) private readonly config: HeraldConfig) {}

  async post(
    url: string,
    eventId: string,
    payload: string,
    secrets: readonly string[],
    at = new Date(),
  ): Promise<SendOutcome> {
    const signature = secrets.map((s) => new Webhook(s).sign(eventId, at, payload)).join(' ');
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Herald',
          'webhook-id': eventId,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.callerEvents.deadlineMs),
      });
    } catch (err) {
      return { ok: false, reason: describeFailure(err, this.config.callerEvents.deadlineMs) };
    }
    // The answer's body is not read: free the connection at once.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300)
      return { ok: true, status: response.status };
    const redirect = response.status >= 300 && response.status < 400;
    return {
      ok: false,
      status: response.status,
      reason: redirect
        ? `HTTP ${response.status} (a redirect, not followed)`
        : `HTTP ${response.status}`,
    };
  }
}

function describeFailure(err: unknown, deadlineMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; errors?: { code?: string }[] } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `no answer within ${deadlineMs} ms`;
  const code = e.cause?.code ?? e.cause?.errors?.[0]?.code;
  return code ? `connection failed (${code})` : 'connection failed';
}
