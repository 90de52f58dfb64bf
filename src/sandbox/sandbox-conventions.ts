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
