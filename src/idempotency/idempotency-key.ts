import { HeraldError } from '../errors/herald-error';

/** 1–255 printable ASCII characters (space through tilde). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;

/**
 * The `Idempotency-Key` header as given, or `undefined` when absent.
 * Throws `invalid_idempotency_key` when it is empty, longer than 255 characters or holds
 * anything but printable ASCII (Node decodes header bytes as latin1, so non-ASCII shows up here).
 */
export function readIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header) || !IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw new HeraldError(
      'invalid_idempotency_key',
      'Idempotency-Key must be one header of 1–255 printable ASCII characters.',
      {
        errors: [{ field: 'Idempotency-Key', message: 'must be 1–255 printable ASCII characters' }],
      },
    );
  }
  return header;
}
