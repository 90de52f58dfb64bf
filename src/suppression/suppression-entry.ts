import { hash } from 'node:crypto';
import type { ChannelKind, ProviderName } from '../config/config.schema';
import { maskAddress } from '../notifications/mask-recipient';

/** Why a recipient is on a suppression list. */
export const SUPPRESSION_REASONS = ['hard_bounce', 'complaint', 'unsubscribe', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** One suppressed recipient, as stored and as the admin API shows it. */
export interface SuppressionEntry {
  readonly reason: SuppressionReason;
  /** The provider whose event (or refusal) put it there; absent for `manual`. */
  readonly provider?: ProviderName;
  /** ISO 8601: when it was added. */
  readonly at: string;
  /** The recipient, masked (`b***@example.com`): the list never holds it in clear. */
  readonly recipient: string;
}

/**
 * The form a recipient is compared in: an e-mail address trimmed and lower-cased (a provider's
 * `Name <address>` reduced to the address), a phone number as its E.164 digits with the plus,
 * a Slack channel id as is.
 */
export function normaliseRecipient(channel: ChannelKind, recipient: string): string {
  const trimmed = recipient.trim();
  switch (channel) {
    case 'email': {
      const bracketed = /<([^<>]+)>$/.exec(trimmed);
      return (bracketed ? bracketed[1]! : trimmed).trim().toLowerCase();
    }
    case 'sms':
      return `+${trimmed.replace(/\D/g, '')}`;
    case 'chat':
      return trimmed;
  }
}

/**
 * The hash field a recipient is stored under: 128 bits of SHA-256 of its normalised form, hex.
 * Enough to never collide in one list, half the memory of the full digest. Note that a hash of
 * a phone number can be reversed by trying every number: it keeps addresses out of dumps and
 * logs, it is not encryption.
 */
export function recipientField(channel: ChannelKind, recipient: string): string {
  return hash('sha256', normaliseRecipient(channel, recipient), 'hex').slice(0, 32);
}

/** A new entry for `recipient`, masked. */
export function newEntry(
  channel: ChannelKind,
  recipient: string,
  reason: SuppressionReason,
  provider?: ProviderName,
  at = new Date().toISOString(),
): SuppressionEntry {
  return {
    reason,
    ...(provider ? { provider } : {}),
    at,
    recipient: maskAddress(channel, normaliseRecipient(channel, recipient)),
  };
}
