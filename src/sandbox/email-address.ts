import { REJECTED_EMAIL_DOMAIN } from './sandbox-conventions';

// Deliberately simple: providers refuse what is plainly not an address, not every RFC 5322 oddity.
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
const MAILBOX = /^\s*(?:"?([^"<]*)"?\s*)?<([^>]*)>\s*$/;

/** The bare address of `a@b.c` or `Name <a@b.c>`, or undefined when it is not one. */
export function addressOf(mailbox: string): string | undefined {
  const bare = MAILBOX.exec(mailbox)?.[2] ?? mailbox.trim();
  return ADDRESS.test(bare) ? bare : undefined;
}

export function isRejectedRecipient(address: string): boolean {
  return address.toLowerCase().endsWith(`@${REJECTED_EMAIL_DOMAIN}`);
}
