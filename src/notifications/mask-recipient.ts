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
      return `${message.to.slice(0, 3)}${'*'.repeat(Math.max(0, message.to.length - 5))}${message.to.slice(-2)}`;
    case 'chat':
      return message.to;
  }
}
