import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { PinoLogger } from 'nestjs-pino';
import { HeraldLogger } from './herald-logger';
import { RequestLogScope } from './request-log-scope';

/** Collects every line a logger writes, parsed. */
class LogSink extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }
}

describe(HeraldLogger.name, () => {
  const sink = new LogSink();
  const logger = new HeraldLogger({
    pinoHttp: [
      {
        level: 'info',
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({
            id: req.id,
            method: req.method,
            path: req.url,
          }),
        },
      },
      sink,
    ],
  } as never);
  const request = { method: 'POST', url: '/v1/notifications', headers: {} } as IncomingMessage;

  it('binds the request to every line logged inside its scope, and only there', async () => {
    RequestLogScope.run(new RequestLogScope(PinoLogger.root, request, 'req-1'), () => {
      // Across an await, as a route handler logs.
      void Promise.resolve().then(() => logger.warn('inside', 'Test'));
    });
    logger.warn('outside', 'Test');
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.lines.find((l) => l.msg === 'inside')).toMatchObject({
      context: 'Test',
      req: { id: 'req-1', method: 'POST', path: '/v1/notifications' },
    });
    expect(sink.lines.find((l) => l.msg === 'outside')).not.toHaveProperty('req');
  });
});
