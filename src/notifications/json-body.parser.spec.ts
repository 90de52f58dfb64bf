import { malformedJson } from './json-body.parser';

describe(malformedJson.name, () => {
  it.each([
    ['{"channel":"sms",}', 'expected a property name in double quotes at line 1, column 18'],
    ['{"channel":"sms"', "expected '}' at line 1, column 17"],
    ['{\n  "to": +1415\n}', 'unexpected character at line 2, column 9'],
    ['{"a":1} {"b":2}', 'unexpected content after the JSON value at line 1, column 9'],
    ['{"a":"x\ny"}', 'at line 1, column 6'],
    ["{'a':1}", 'at line 1, column 2'],
    ['{"a":1 // note\n}', 'comments are not JSON at line 1, column 8'],
    ['[1,2,]', 'expected a value at line 1, column 6'],
  ])('names where %j breaks', (text, where) => {
    const err = malformedJson(text);
    expect(err.code).toBe('malformed_json');
    expect(err.message).toContain(where);
  });

  it('says when the body is empty', () => {
    expect(malformedJson('  \n').message).toBe('The body is empty; send a JSON object.');
  });

  it('says only that it is not JSON when the scanner finds nothing wrong', () => {
    expect(malformedJson('{"a":1}').message).toBe('The body is not valid JSON.');
  });
});
