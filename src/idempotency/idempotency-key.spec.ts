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
    ['a repeated header', ['a', 'b']],
  ])('refuses %s with invalid_idempotency_key', (_, key) => {
    const attempt = () => readIdempotencyKey(key as string);
    expect(attempt).toThrow(HeraldError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'invalid_idempotency_key' }));
  });
});
