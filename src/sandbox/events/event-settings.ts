import { z } from 'zod';
import { type EventKind, type EventProvider, kindsOf } from './event-kinds';

/**
 * How one provider sends its events, set with `PUT /_sandbox/webhooks/:provider` or
 * `ProviderSimulator.setWebhook`. Like a behaviour, a new setting replaces the old one.
 */
export interface WebhookSettings {
  /**
   * Where the provider POSTs its events, as set in its dashboard (SendGrid Event Webhook,
   * Mailgun webhooks, the SNS topic's HTTP subscription). Twilio posts to the `StatusCallback`
   * of each send and uses this URL only for a send without one (as a Messaging Service's
   * callback). Default: none, so no events are sent.
   */
  url?: string;
  /**
   * The events that follow every accepted send, for every recipient, in order, instead of
   * the recipient conventions (`sandbox-conventions.ts`). `[]` sends none. Default: the
   * conventions.
   */
  events?: EventKind[];
  /** Milliseconds between an accepted send and its first event. Default 0. */
  delayMs?: number;
  /**
   * How many times each event is delivered (1–10), byte for byte the same, as a provider
   * does when it retries after an acknowledgement was lost. Default 1.
   */
  repeat?: number;
}

export type ResolvedWebhookSettings = Required<Omit<WebhookSettings, 'url' | 'events'>> &
  Pick<WebhookSettings, 'url' | 'events'>;

const httpUrl = z.string().refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), {
  message: 'must be an http or https URL',
});

function schemaFor(provider: EventProvider) {
  const kinds = kindsOf(provider) as [EventKind, ...EventKind[]];
  return z.strictObject({
    url: httpUrl.optional(),
    events: z.array(z.enum(kinds)).max(10).optional(),
    delayMs: z.number().int().min(0).max(600_000).default(0),
    repeat: z.number().int().min(1).max(10).default(1),
  });
}

/** Validates settings for `provider` and fills in defaults; problems name the field. */
export function resolveWebhookSettings(
  provider: EventProvider,
  input: unknown,
): { ok: true; settings: ResolvedWebhookSettings } | { ok: false; problems: string[] } {
  const parsed = schemaFor(provider).safeParse(input ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`),
    };
  }
  const settings: ResolvedWebhookSettings = { ...parsed.data };
  if (settings.url === undefined) delete settings.url;
  if (settings.events === undefined) delete settings.events;
  return { ok: true, settings };
}
