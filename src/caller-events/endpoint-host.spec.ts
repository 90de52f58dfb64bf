import { endpointHost, endpointHostAllowed } from './endpoint-host';

describe(endpointHostAllowed.name, () => {
  const allowed = ['events.example.com', '*.hooks.example.org', '127.0.0.1'];

  it.each([
    ['https://events.example.com/herald', true],
    ['http://127.0.0.1:8080/sink', true],
    ['https://EVENTS.example.com/', true],
    ['https://a.hooks.example.org/x', true],
    ['https://a.b.hooks.example.org/x', true],
    ['https://hooks.example.org/x', false],
    ['https://evilhooks.example.org/x', false],
    ['https://events.example.com.evil.test/', false],
    ['https://other.example.com/', false],
    ['ftp://events.example.com/', false],
    ['not a url', false],
  ])('when the URL is %s, answers %s', (url, expected) => {
    expect(endpointHostAllowed(url, allowed)).toBe(expected);
  });

  it('when the list is empty, refuses every host', () => {
    expect(endpointHostAllowed('https://events.example.com/', [])).toBe(false);
  });
});

describe(endpointHost.name, () => {
  it('shows host and port, never the path or query', () => {
    expect(endpointHost('https://a.example.com:8443/secret/path?token=x')).toBe(
      'a.example.com:8443',
    );
  });
});
