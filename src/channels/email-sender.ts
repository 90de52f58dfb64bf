import { ChannelError } from './channel-error';
import type { EmailMessage } from '../notifications/notification-message.schema';

/**
 * The sender of an e-mail: its own `from`, else `HERALD_EMAIL_FROM`. Intake already refuses a
 * message with neither; this guards the channels against a record written by an older setup.
 */
export function emailSender(message: EmailMessage, defaultFrom: string | undefined): string {
  const from = message.from ?? defaultFrom;
  if (!from) {
    throw new ChannelError(
      'misconfigured',
      'no sender: the message has no from and HERALD_EMAIL_FROM is unset',
    );
  }
  return from;
}
