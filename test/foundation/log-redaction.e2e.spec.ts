import { Writable } from 'node:stream';
import { startHerald, testEnv } from '../support/herald';

/** Collects every log line the app writes. */
class LogSink extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
}

describe('logging', () => {
  it('keeps API keys, message bodies and recipients out of every log line', async () => {
    const key = 'sk-live-0123456789abcdef-very-secret';
    const sink = new LogSink();
    const herald = await startHerald(
      testEnv({ LOG_LEVEL: 'trace', HERALD_AUTH: undefined, HERALD_API_KEYS: `billing:${key}` }),
      { logDestination: sink },
    );
    const secretText = 'The launch code is 0000-TOP-SECRET';
    const recipient = 'grace.hopper@navy.example.com';
    try {
      const send = (auth: string) =>
        fetch(`${herald.url}/v1/notifications`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${auth}`,
            'content-type': 'application/json',
            'x-request-id': 'req-redaction-1',
          },
          body: JSON.stringify({
            channel: 'email',
            to: [recipient],
            subject: secretText,
            text: secretText,
          }),
        });
      await send(key);
      await send(`${key}-wrong`);
      await fetch(`${herald.url}/v1/notifications?to=${recipient}`, {
        headers: { authorization: `Bearer ${key}` },
      });
    } finally {
      await herald.close();
    }
    const log = sink.lines.join('\n');
    expect(sink.lines.some((l) => l.includes('"req-redaction-1"'))).toBe(true);
    expect(log).not.toContain(key);
    expect(log).not.toContain('0000-TOP-SECRET');
    expect(log).not.toContain(recipient);
    expect(log).not.toContain('grace.hopper');
  });
});
