import { canonicalJson, fingerprint } from './canonical-json';

describe(canonicalJson.name, () => {
  it('sorts object keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
  });

  it('keeps array order, which is meaningful', () => {
    expect(canonicalJson(['b', 'a'])).not.toBe(canonicalJson(['a', 'b']));
  });

  it('escapes keys and strings as JSON does', () => {
    expect(canonicalJson({ 'a"b': 'line\nbreak' })).toBe('{"a\\"b":"line\\nbreak"}');
  });
});

describe(fingerprint.name, () => {
  it('is the same for bodies that differ only in key order', () => {
    expect(fingerprint({ to: 'x', text: 'y' })).toBe(fingerprint({ text: 'y', to: 'x' }));
  });

  it('differs when a value differs', () => {
    expect(fingerprint({ text: 'y' })).not.toBe(fingerprint({ text: 'z' }));
  });
});
