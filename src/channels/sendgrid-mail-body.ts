import { classes } from '@sendgrid/helpers';
import type { EmailJSON } from '@sendgrid/helpers/classes/email-address';
import type { EmailMessage } from '../notifications/notification-message.schema';
import { distinctRecipients } from './distinct-recipients';
import { emailSender } from './email-sender';
import { customFields } from './provider-channel';

/** One personalization of a v3 Mail Send body: the recipients and the custom args. */
export interface SendgridPersonalization {
  readonly to: EmailJSON[];
  readonly cc?: EmailJSON[];
  readonly bcc?: EmailJSON[];
  readonly custom_args: Record<string, string>;
}

/** One part of a v3 Mail Send body's `content`. */
export interface SendgridContent {
  readonly value: string;
  readonly type: 'text/plain' | 'text/html';
}

/** The body of a v3 Mail Send request (`POST /v3/mail/send`), as SendGrid's API names its fields. */
export interface SendgridMailBody {
  readonly from: EmailJSON;
  readonly subject: string;
  readonly personalizations: [SendgridPersonalization];
  readonly content?: SendgridContent[];
  readonly reply_to?: EmailJSON;
}

/**
 * The v3 Mail Send body of an e-mail: the JSON @sendgrid/mail's `Mail` helper writes for the
 * same message, byte for byte (same fields, same order), built directly. The helper gets there
 * generically — it deep-clones its input twice through JSON and converts every key to camel case
 * and back to snake case — which cost a delivery more CPU than building the body, with garbage
 * to collect. Addresses still go through the SDK's `EmailAddress` (`Name <address>` parsing).
 *
 * The notification id and the message's metadata ride in the personalization's `custom_args`:
 * SendGrid's description types a top-level `custom_args` as a string, and refuses an object
 * there with a 400. Throws the sender's `ChannelError` when the message has no sender.
 */
export function sendgridMailBody(
  message: EmailMessage,
  notificationId: string,
  defaultFrom: string | undefined,
): SendgridMailBody {
  const from = emailSender(message, defaultFrom);
  const { to, cc, bcc } = distinctRecipients(message);
  const personalization: {
    to: EmailJSON[];
    cc?: EmailJSON[];
    bcc?: EmailJSON[];
    custom_args?: Record<string, string>;
  } = { to: addresses(to) };
  if (cc.length > 0) personalization.cc = addresses(cc);
  if (bcc.length > 0) personalization.bcc = addresses(bcc);
  personalization.custom_args = customFields(message, notificationId);

  const body: {
    from: EmailJSON;
    subject: string;
    personalizations: [SendgridPersonalization];
    content?: SendgridContent[];
    reply_to?: EmailJSON;
  } = {
    from: address(from),
    subject: message.subject,
    personalizations: [personalization as SendgridPersonalization],
  };
  const content: SendgridContent[] = [];
  if (message.text !== undefined) content.push({ value: message.text, type: 'text/plain' });
  if (message.html !== undefined) content.push({ value: message.html, type: 'text/html' });
  if (content.length > 0) body.content = content;
  if (message.replyTo) body.reply_to = address(message.replyTo);
  return body;
}

function address(text: string): EmailJSON {
  return new classes.EmailAddress(text).toJSON();
}

/** A recipient list as the helper writes it: empty entries left out. */
function addresses(list: readonly string[]): EmailJSON[] {
  const out: EmailJSON[] = [];
  for (const entry of list) if (entry) out.push(address(entry));
  return out;
}
