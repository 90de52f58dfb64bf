import type { ChannelKind } from '../config/config.schema';
import type { NotificationMessage } from './notification-message.schema';

const maskEmail = (address: string): string => {
  const at = address.lastIndexOf('@');
  return at <= 0 ? '***' : `${address[0]}***${address.slice(at)}`;
};

/**
 * The recipient as records and logs may show it: recognisable to whoever knows it, useless
 * to whoever reads a log. Slack channel ids are workspace identifiers, not personal data.
 */
export function maskRecipient(message: NotificationMessage): string {
  switch (message.channel) {
    case 'email': {
      const more = message.to.length - 1 + (message.cc?.length ?? 0) + (message.bcc?.length ?? 0);
      return `${maskEmail(message.to[0]!)}${more > 0 ? ` (+${more})` : ''}`;
    }
    case 'sms':
    case 'chat':
      return maskAddress(message.channel, message.to);
  }
}

/** One recipient of `channel` (an address, a number, a channel id), masked as records show it. */
export function maskAddress(channel: ChannelKind, address: string): string {
  switch (channel) {
    case 'email':
      return maskEmail(address);
    case 'sms':
      return `${address.slice(0, 3)}${'*'.repeat(Math.max(0, address.length - 5))}${address.slice(-2)}`;
    case 'chat':
      return address;
  }
}
