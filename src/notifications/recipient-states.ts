import type { NotificationMessage } from './notification-message.schema';
import { maskAddress } from './mask-recipient';
import { normaliseRecipient, recipientField } from '../suppression/suppression-entry';
import type { RecipientState } from '../contracts/notification-record';

/**
 * The record's hash field holding an e-mail's recipients when it has more than one: a JSON
 * list of `{to, h, s?, at?}` (masked address, match key, state and its time once an event set
 * it), updated by the APPLY_EVENT script.
 */
export const RECIPIENTS_FIELD = 'recipients';

/**
 * The key an event's recipient is matched by: 64 bits of SHA-256 of the normalised address,
 * hex. Unique enough within one message's recipients, and no address in clear is kept once the
 * message itself is dropped after sending.
 */
export function recipientKey(address: string): string {
  return recipientField('email', address).slice(0, 16);
}

/**
 * The recipients field of a new record: to, cc and bcc of an e-mail with more than one, in
 * that order, each once. Undefined for a single recipient or another channel: the
 * notification's own status is then the recipient's.
 * `fields`: the addresses' suppression fields (recipientField, in that same order) when the
 * caller has them already, so each address is hashed once per acceptance, not twice.
 */
export function recipientsField(
  message: NotificationMessage,
  fields?: readonly string[],
): string | undefined {
  if (message.channel !== 'email') return undefined;
  const addresses = [...message.to, ...(message.cc ?? []), ...(message.bcc ?? [])];
  // One address cannot make two recipients: nothing to hash.
  if (addresses.length < 2) return undefined;
  const seen = new Map<string, string>();
  addresses.forEach((address, i) => {
    const field = fields?.[i];
    const h = field === undefined ? recipientKey(address) : field.slice(0, 16);
    if (!seen.has(h)) seen.set(h, maskAddress('email', normaliseRecipient('email', address)));
  });
  if (seen.size < 2) return undefined;
  return JSON.stringify([...seen].map(([h, to]) => ({ to, h })));
}

/**
 * The recipients as the record shows them once sent (before, the list is not shown): one no
 * event has named yet is `sent`, at `sentAt`.
 */
export function readRecipients(raw: string, sentAt: string): RecipientState[] {
  const stored = JSON.parse(raw) as { to: string; s?: RecipientState['status']; at?: string }[];
  return stored.map((r) => ({ to: r.to, status: r.s ?? 'sent', at: r.at ?? sentAt }));
}
