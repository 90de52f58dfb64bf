import { Webhook } from 'standardwebhooks';

/** Characters of a received body kept. */
const KEPT_BODY_CHARS = 8_000;

/** One event Herald posted to the sink, and whether its signature verified. */
export interface SinkEvent {
  /** ISO 8601 time of arrival. */
  readonly receivedAt: string;
  readonly webhookId?: string;
  readonly webhookTimestamp?: string;
  /** The payload's `type` and notification id, when the body is such a payload. */
  readonly type?: string;
  readonly notificationId?: string;
  /**
   * `verified` (a signature matched the secret set), `failed` (none did, or the headers or
   * timestamp are wrong: `detail` says which), `unchecked` (no secret set yet).
   */
  readonly signature: 'verified' | 'failed' | 'unchecked';
  readonly detail?: string;
  /** The status the sink answered. */
  readonly answered: number;
  /** The body as received (cut after a few thousand characters). */
  readonly body: string;
}

/** What the sink does: the secret it verifies with, the status it answers. */
export interface EventSinkSettings {
  /** The endpoint's signing secret (`whsec_…`) as `PUT /v1/event-endpoint` returned it. */
  readonly secret?: string;
  /** Status answered to every event (default 204); 5xx makes Herald retry, as a broken endpoint would. */
  readonly status?: number;
}

/**
 * A caller's event endpoint, simulated: it keeps what Herald posts (newest first, bounded)
 * and checks each signature with the `standardwebhooks` verifier, as a caller's service would,
 * so a developer sees exactly what theirs will receive.
 */
export class EventSink {
  private entries: SinkEvent[] = [];
  private settings: { secret?: string; status: number } = { status: 204 };

  constructor(private readonly capacity: number) {}

  /** Replaces the settings; throws a RangeError naming a bad field. */
  configure(settings: unknown): void {
    const s = (settings ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(s)) {
      if (key !== 'secret' && key !== 'status') throw new RangeError(`${key}: unknown setting`);
    }
    if (s.secret !== undefined) {
      if (typeof s.secret !== 'string' || !/^whsec_[A-Za-z0-9+/=]+$/.test(s.secret)) {
        throw new RangeError('secret: must be a whsec_… secret');
      }
    }
    const status = s.status ?? 204;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError('status: must be a whole number from 200 to 599');
    }
    this.settings = { ...(s.secret === undefined ? {} : { secret: s.secret as string }), status };
  }

  /** The settings without the secret (only whether one is set). */
  view(): { secretSet: boolean; status: number } {
    return { secretSet: this.settings.secret !== undefined, status: this.settings.status };
  }

  /** Records one post; answers the status to send back. */
  receive(rawBody: string, headers: Record<string, string | string[] | undefined>): number {
    const one = (name: string) => {
      const v = headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    let parsed: { type?: unknown; data?: { id?: unknown } } | undefined;
    try {
      parsed = JSON.parse(rawBody) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    const check = this.verify(rawBody, {
      'webhook-id': one('webhook-id') ?? '',
      'webhook-timestamp': one('webhook-timestamp') ?? '',
      'webhook-signature': one('webhook-signature') ?? '',
    });
    const answered = this.settings.status;
    this.entries.unshift({
      receivedAt: new Date().toISOString(),
      ...(one('webhook-id') ? { webhookId: one('webhook-id') } : {}),
      ...(one('webhook-timestamp') ? { webhookTimestamp: one('webhook-timestamp') } : {}),
      ...(typeof parsed?.type === 'string' ? { type: parsed.type } : {}),
      ...(typeof parsed?.data?.id === 'string' ? { notificationId: parsed.data.id } : {}),
      ...check,
      answered,
      body: rawBody.length > KEPT_BODY_CHARS ? `${rawBody.slice(0, KEPT_BODY_CHARS)}…` : rawBody,
    });
    if (this.entries.length > this.capacity) this.entries.pop();
    return answered;
  }

  /** Newest first. */
  list(): SinkEvent[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }

  /** Forgets the events and the settings. */
  reset(): void {
    this.clear();
    this.settings = { status: 204 };
  }

  private verify(
    rawBody: string,
    headers: Record<string, string>,
  ): Pick<SinkEvent, 'signature' | 'detail'> {
    if (this.settings.secret === undefined) {
      return {
        signature: 'unchecked',
        detail: 'no secret set: PUT /_sandbox/event-sink {"secret"}',
      };
    }
    try {
      new Webhook(this.settings.secret).verify(rawBody, headers);
      return { signature: 'verified' };
    } catch (err) {
      return { signature: 'failed', detail: (err as Error).message };
    }
  }
}
