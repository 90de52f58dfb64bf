import { type Server, type ServerResponse, createServer } from 'node:http';
import { EventDispatcher } from './event-dispatcher';
import { EventLog } from './event-log';
import type { OutboundEvent } from './outbound-event';

/** A webhook that holds every request until the spec answers it. */
function holdingServer() {
  const held: ServerResponse[] = [];
  const server: Server = createServer((request, response) => {
    request.resume();
    held.push(response);
  });
  return { server, held };
}

const eventTo = (url: string, id: string): OutboundEvent => ({
  provider: 'sendgrid',
  eventId: id,
  kind: 'delivered',
  type: 'delivered',
  url,
  build: () => ({ headers: { 'content-type': 'application/json' }, body: '[]' }),
});

describe(EventDispatcher.name, () => {
  const { server, held } = holdingServer();
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    for (const response of held.splice(0)) response.end();
  });

  const started = (log: EventLog, options: ConstructorParameters<typeof EventDispatcher>[1]) => {
    const dispatcher = new EventDispatcher(log, options);
    dispatcher.restart();
    return dispatcher;
  };

  describe('when the queue is full', () => {
    it('records the events of a send that does not fit as dropped', async () => {
      const log = new EventLog(10);
      const dispatcher = started(log, { maxQueued: 1, concurrency: 1, retryDelaysMs: [] });
      const job = (id: string) => ({ delayMs: 0, repeat: 1, events: [eventTo(url, id)] });

      dispatcher.enqueue(job('running'));
      dispatcher.enqueue(job('queued'));
      dispatcher.enqueue(job('dropped'));

      expect(log.list({ status: 'dropped' }).map((r) => r.eventId)).toEqual(['dropped']);
      await vi.waitFor(() => expect(held).toHaveLength(1));
      held.shift()!.end();
      await vi.waitFor(() => expect(held).toHaveLength(1));
      held.shift()!.end();
      await vi.waitFor(() =>
        expect(
          log
            .list({ status: 'delivered' })
            .map((r) => r.eventId)
            .sort(),
        ).toEqual(['queued', 'running']),
      );
      dispatcher.stop();
    });
  });

  describe('when the webhook does not answer', () => {
    it('gives up at the deadline and records why', async () => {
      const log = new EventLog(10);
      const dispatcher = started(log, { deadlineMs: 50, retryDelaysMs: [] });

      dispatcher.enqueue({ delayMs: 0, repeat: 1, events: [eventTo(url, 'slow')] });

      await vi.waitFor(() => expect(log.list()[0]?.status).toBe('failed'));
      expect(log.list()[0]!.attempts).toEqual([
        { at: expect.any(String), error: 'no answer before the deadline' },
      ]);
      dispatcher.stop();
    });
  });

  describe('with delayMs', () => {
    it('makes the first attempt no sooner than the delay after the send', async () => {
      const log = new EventLog(10);
      const dispatcher = started(log, { retryDelaysMs: [] });
      const enqueuedAt = Date.now();

      dispatcher.enqueue({ delayMs: 100, repeat: 1, events: [eventTo(url, 'late')] });
      await vi.waitFor(() => expect(held).toHaveLength(1));
      held.shift()!.end();

      await vi.waitFor(() => expect(log.list()[0]?.status).toBe('delivered'));
      // A timer never fires early (a lower bound a loaded machine cannot break).
      expect(Date.parse(log.list()[0]!.attempts[0]!.at) - enqueuedAt).toBeGreaterThanOrEqual(99);
      dispatcher.stop();
    });
  });

  describe('when an event cannot be built', () => {
    it('records it as failed with the reason and goes on with the next', async () => {
      const log = new EventLog(10);
      const dispatcher = started(log, { retryDelaysMs: [] });
      const broken: OutboundEvent = {
        ...eventTo(url, 'broken'),
        build: () => Promise.reject(new Error('no key')),
      };

      dispatcher.enqueue({ delayMs: 0, repeat: 1, events: [broken, eventTo(url, 'next')] });
      await vi.waitFor(() => expect(held).toHaveLength(1));
      held.shift()!.end();

      await vi.waitFor(() =>
        expect(log.list().map((r) => [r.eventId, r.status, r.reason])).toEqual([
          ['next', 'delivered', undefined],
          ['broken', 'failed', 'could not build the event: no key'],
        ]),
      );
      dispatcher.stop();
    });
  });

  describe('when stopped', () => {
    it('abandons a running delivery and accepts nothing more', async () => {
      const log = new EventLog(10);
      const dispatcher = started(log, { retryDelaysMs: [] });
      dispatcher.enqueue({ delayMs: 0, repeat: 1, events: [eventTo(url, 'cut')] });
      await vi.waitFor(() => expect(held).toHaveLength(1));

      dispatcher.stop();
      dispatcher.enqueue({ delayMs: 0, repeat: 1, events: [eventTo(url, 'late')] });

      expect(log.list().map((r) => [r.eventId, r.status])).toEqual([['cut', 'pending']]);
    });
  });
});
