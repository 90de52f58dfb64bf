import type { SimulatedProvider } from '../provider-behaviour';

/**
 * What can follow an accepted e-mail, in Herald's words; each provider names it its own way
 * (see the README's table): `delivered`, `bounce` (hard, permanent), `deferred` (a temporary
 * failure the provider reports while it keeps trying) and `complaint` (marked as spam).
 */
export const EMAIL_EVENT_KINDS = ['delivered', 'bounce', 'deferred', 'complaint'] as const;
export type EmailEventKind = (typeof EMAIL_EVENT_KINDS)[number];

/** Twilio's own `MessageStatus` values that a status callback reports after a send. */
export const SMS_EVENT_KINDS = ['sent', 'delivered', 'undelivered', 'failed'] as const;
export type SmsEventKind = (typeof SMS_EVENT_KINDS)[number];

export type EventKind = EmailEventKind | SmsEventKind;

/** The providers that send delivery events; Slack answers synchronously and sends none. */
export const EVENT_PROVIDERS = ['sendgrid', 'mailgun', 'ses', 'twilio'] as const;
export type EventProvider = (typeof EVENT_PROVIDERS)[number];

export function isEventProvider(name: unknown): name is EventProvider {
  return EVENT_PROVIDERS.includes(name as EventProvider);
}

export function kindsOf(provider: EventProvider): readonly EventKind[] {
  return provider === 'twilio' ? SMS_EVENT_KINDS : EMAIL_EVENT_KINDS;
}

/** One event that follows a send, for one recipient. */
export interface PlannedEvent {
  readonly kind: EventKind;
  readonly recipient: string;
  /** Twilio's `ErrorCode` of an `undelivered` or `failed` status. */
  readonly errorCode?: number;
}

/** Narrows a simulated provider to one that sends events. */
export type { SimulatedProvider };
