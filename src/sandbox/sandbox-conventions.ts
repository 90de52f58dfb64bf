/**
 * Inputs the simulator refuses on purpose, so a channel's error mapping can be tested
 * against each provider's real refusal without a real account.
 */

/**
 * Any recipient address at this domain is refused with the provider's permanent failure:
 * SES `MessageRejected`; SendGrid and Mailgun, which accept and bounce later in real life,
 * answer their invalid-recipient 400 instead so the refusal can be tested synchronously.
 */
export const REJECTED_EMAIL_DOMAIN = 'rejected.herald.test';

/**
 * Twilio's own magic test numbers (as with Twilio test credentials), answered with the
 * same error codes: a `To` of `unsubscribed` gets 21610, and so on. Any `To` that is not
 * E.164 gets 21211.
 */
export const TWILIO_MAGIC_NUMBERS = {
  /** To: 21211, not a valid phone number. */
  invalid: '+15005550001',
  /** To: 21612, cannot route to this number. */
  unroutable: '+15005550002',
  /** To: 21408, no international permission. */
  noInternationalPermission: '+15005550003',
  /** To: 21610, the recipient replied STOP (unsubscribed). */
  unsubscribed: '+15005550004',
  /** To: 21614, not a mobile number. */
  notMobile: '+15005550009',
} as const;

/**
 * A well-formed Slack channel id that does not exist: `channel_not_found`. So is any
 * value that is not a channel id (`/^[CGD][A-Z0-9]{8,}$/`), channel names included.
 */
export const UNKNOWN_SLACK_CHANNEL = 'C0000000000';

/** Where the channels put Herald's notification id; the simulator reads it from there. */
export { NOTIFICATION_ID_FIELD, NOTIFICATION_ID_HEADER } from '../channels/notification-id';

/**
 * The events that follow an accepted e-mail (when a webhook URL is set and the control API
 * does not override them) are chosen per recipient: an address at this domain chooses by
 * its local part, ignoring any `+tag` (`bounce+ada@simulator.herald.test` bounces):
 * `bounce` → bounce; `complaint` → delivered, then complaint; `deferred` → deferred, then
 * delivered; `silent` → none; `delivered` and every other address, anywhere → delivered.
 * Every recipient (to, cc, bcc) gets its own events.
 */
export const EVENTS_EMAIL_DOMAIN = 'simulator.herald.test';

/** The recipients of {@link EVENTS_EMAIL_DOMAIN} by the events they bring. */
export const EVENT_EMAIL_RECIPIENTS = {
  delivered: `delivered@${EVENTS_EMAIL_DOMAIN}`,
  bounce: `bounce@${EVENTS_EMAIL_DOMAIN}`,
  complaint: `complaint@${EVENTS_EMAIL_DOMAIN}`,
  deferred: `deferred@${EVENTS_EMAIL_DOMAIN}`,
  silent: `silent@${EVENTS_EMAIL_DOMAIN}`,
} as const;

/**
 * Status callbacks after an accepted SMS. Twilio documents no test numbers for delivery
 * outcomes, so these are Herald's own, taken from the fictional 555-01xx range: any other
 * number gets `sent`, then `delivered`.
 */
export const TWILIO_EVENT_NUMBERS = {
  /** `sent`, then `undelivered` with ErrorCode 30003 (unreachable destination handset). */
  unreachable: '+14155550130',
  /** `sent`, then `undelivered` with ErrorCode 30005 (unknown destination handset). */
  unknown: '+14155550131',
  /** `failed` with ErrorCode 30001 (queue overflow: the message never left Twilio). */
  failed: '+14155550132',
  /** `sent` only: the carrier never reports delivery. */
  sentOnly: '+14155550133',
} as const;
