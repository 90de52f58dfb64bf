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

  it('handles nesting far deeper than the call stack allows recursion', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i += 1) deep = i % 2 ? [deep] : { k: deep };
    const text = canonicalJson(deep);
    // 50,000 × `{"k":…}` (6 characters) and 50,000 × `[…]` (2) around `"x"`.
    expect(text.length).toBe(50_000 * 8 + 3);
    expect(text.startsWith('[{"k":[{"k":')).toBe(true);
  });

  it('writes what JSON.stringify writes for a body whose keys are already sorted', () => {
    const body = { a: [1, 'two', null, { b: true, c: [] }], d: {}, e: 1.5 };
    expect(canonicalJson(body)).toBe(JSON.stringify(body));
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
