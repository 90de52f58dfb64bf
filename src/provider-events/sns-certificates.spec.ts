import { SnsCertificates, originAllowed } from './sns-certificates';

describe(SnsCertificates.name, () => {
  const aws = ['https://sns.*.amazonaws.com'];

  describe('when a URL is checked against the default AWS pattern', () => {
    it.each([
      ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', true],
      ['https://sns.eu-west-3.amazonaws.com/x.pem', true],
      ['http://sns.us-east-1.amazonaws.com/x.pem', false],
      ['https://sns.us-east-1.amazonaws.com.evil.test/x.pem', false],
      ['https://sns.a.b.amazonaws.com/x.pem', false],
      ['https://evil.test/sns.us-east-1.amazonaws.com/x.pem', false],
      ['https://sns.us-east-1.amazonaws.com:8443/x.pem', false],
      ['not a url', false],
    ])('%s allowed: %s', (url, allowed) => {
      expect(originAllowed(url, aws)).toBe(allowed);
    });
  });

  it('allows only a .pem path', () => {
    const certificates = new SnsCertificates(['http://127.0.0.1:4010']);
    expect(certificates.allowed('http://127.0.0.1:4010/_sandbox/sns/a.pem')).toBe(true);
    expect(certificates.allowed('http://127.0.0.1:4010/_sandbox/sns?Action=x')).toBe(false);
    expect(certificates.allowed('http://127.0.0.1:4011/a.pem')).toBe(false);
  });

  it('refuses to fetch a URL that is not allowed', async () => {
    await expect(new SnsCertificates(aws).get('https://evil.test/a.pem')).rejects.toThrow(
      'not allowed',
    );
  });
});
