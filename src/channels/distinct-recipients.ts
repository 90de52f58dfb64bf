import type { EmailMessage } from '../notifications/notification-message.schema';

/**
 * The message's recipients with each address once (case-insensitive), first place wins:
 * to, then cc, then bcc. SendGrid refuses a message that repeats an address across its
 * recipient lists, and no provider delivers a copy twice, so the duplicates add nothing.
 */
export function distinctRecipients(message: EmailMessage): {
  to: string[];
  cc: string[];
  bcc: string[];
} {
  const seen = new Set<string>();
  const keep = (list: readonly string[] | undefined) =>
    (list ?? []).filter((address) => {
      const key = address.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const to = keep(message.to);
  const cc = keep(message.cc);
  const bcc = keep(message.bcc);
  return { to, cc, bcc };
}
