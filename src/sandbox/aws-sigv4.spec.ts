import { parseSigV4, verifySigV4 } from './aws-sigv4';

// The worked example of AWS's "Signature Version 4 signing process" documentation.
const AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const request = {
  method: 'GET',
  url: '/?Action=ListUsers&Version=2010-05-08',
  headers: {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    host: 'iam.amazonaws.com',
    'x-amz-date': '20150830T123600Z',
  },
  body: Buffer.alloc(0),
};

describe(verifySigV4.name, () => {
  const auth = parseSigV4(AUTHORIZATION)!;

  it("accepts AWS's documented example", () => {
    expect(auth.accessKeyId).toBe('AKIDEXAMPLE');
    expect(verifySigV4(auth, request, SECRET)).toBe(true);
  });

  it.each([
    ['another secret', request, 'not-the-secret'],
    ['a changed body', { ...request, body: Buffer.from('x') }, SECRET],
    [
      'a changed signed header',
      { ...request, headers: { ...request.headers, host: 'evil.example' } },
      SECRET,
    ],
  ])('refuses %s', (_case, changed, secret) => {
    expect(verifySigV4(auth, changed, secret)).toBe(false);
  });

  it('does not parse an incomplete Authorization header', () => {
    expect(
      parseSigV4('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request'),
    ).toBeUndefined();
    expect(parseSigV4(undefined)).toBeUndefined();
  });
});
