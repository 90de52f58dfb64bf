/**
 * Where Herald's notification id travels in a provider request, so a delivery can be traced
 * back. Channels write these; the sandbox simulator reads them.
 */

/** Header for providers whose API has no custom field (Twilio). */
export const NOTIFICATION_ID_HEADER = 'x-herald-notification-id';

/** Custom field name: SendGrid custom arg, Mailgun `v:` variable, SES tag, Slack metadata key. */
export const NOTIFICATION_ID_FIELD = 'herald_notification_id';
