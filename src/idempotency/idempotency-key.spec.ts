import { HeraldError } from '../errors/herald-error';
import { readIdempotencyKey } from './idempotency-key';

describe(readIdempotencyKey.name, () => {
  it('returns undefined when there is no header', () => {
    expect(readIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each([
    ['a'],
    ['order-123 confirmation'],
    ['~'.repeat(255)],
    [' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'],
    [' '],
    ['~'],
    ['k'.repeat(254)],
  ])('accepts %j', (key) => {
    expect(readIdempotencyKey(key)).toBe(key);
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a tab', 'a\tb'],
    ['a control character', 'a\u0001b'],
    ['DEL', 'a\u007fb'],
    ['latin-1', 'clé'],
    ['a leading tab', '\tkey'],
    ['a trailing newline', 'key\n'],
    ['a repeated header', ['a', 'b']],
    ['one header repeated identically', ['a', 'a']],
  ])('refuses %s with invalid_idempotency_key naming the header', (_, key) => {
    let thrown: unknown;
    try {
      readIdempotencyKey(key as string);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HeraldError);
    const { code, message, extra } = thrown as HeraldError;
    expect({ code, message, extra }).toEqual({
      code: 'invalid_idempotency_key',
      message: 'Idempotency-Key must be one header of 1–255 printable ASCII characters.',
      extra: {
        errors: [{ field: 'Idempotency-Key', message: 'must be 1–255 printable ASCII characters' }],
      },
    });
  });
});
