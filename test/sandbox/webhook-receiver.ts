import fastify, { type FastifyInstance } from 'fastify';
import { until } from '../support/until';

/** One request as the receiver got it: raw bytes, headers, the URL it was posted to. */
export interface ReceivedRequest {
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawBody: string;
}

/**
 * A small webhook endpoint on a free loopback port that keeps every request's raw body,
 * as a receiver verifying signatures must. `answer` sets the status it replies with.
 */
export class WebhookReceiver {
  readonly received: ReceivedRequest[] = [];
  /** Status of the next answers (default 200), a function of the request, or `hang`: none. */
  answer: number | ((request: ReceivedRequest) => number) | 'hang' = 200;
  private app?: FastifyInstance;
  private base = '';

  /** The URL of `path` on this receiver. */
  url(path = '/events'): string {
    return `${this.base}${path}`;
  }

  async start(): Promise<void> {
    const app = fastify({ logger: false, forceCloseConnections: true });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
    app.all('/*', async (request, reply) => {
      const received: ReceivedRequest = {
        url: `${this.base}${request.url}`,
        headers: request.headers,
        rawBody: typeof request.body === 'string' ? request.body : '',
      };
      this.received.push(received);
      if (this.answer === 'hang') return reply.hijack();
      const status = typeof this.answer === 'function' ? this.answer(received) : this.answer;
      return reply.status(status).send();
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    this.base = `http://127.0.0.1:${port}`;
    this.app = app;
  }

  async stop(): Promise<void> {
    await this.app?.close();
  }

  clear(): void {
    this.received.length = 0;
    this.answer = 200;
  }

  /** Waits until `count` requests arrived and returns them, oldest first. */
  async await(count: number, what = `${count} webhook request(s)`): Promise<ReceivedRequest[]> {
    await until(() => this.received.length >= count, 20_000, what);
    return this.received.slice(0, count);
  }
}

/** One receiver for the enclosing suite, cleared before every test. */
export function useWebhookReceiver(): WebhookReceiver {
  const receiver = new WebhookReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  beforeEach(() => receiver.clear());
  return receiver;
}
