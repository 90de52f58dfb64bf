import type { FastifyInstance } from 'fastify';
import { rawBodyOf } from './body-parsers';
import type { EventSink } from './event-sink';
import { renderEventSink } from './event-sink.page';

/**
 * The event sink, a caller's endpoint for Herald's events:
 *
 * - `POST /_sandbox/event-sink`: where Herald posts (register it with
 *   `PUT /v1/event-endpoint {"url": "http://127.0.0.1:4010/_sandbox/event-sink"}`);
 * - `GET /_sandbox/event-sink`: the page; `GET /_sandbox/event-sink/events`: the same as JSON;
 * - `PUT /_sandbox/event-sink` `{"secret", "status"}`: the secret to verify with (the one the
 *   registration returned) and the status to answer (5xx to watch Herald retry);
 * - `DELETE /_sandbox/event-sink/events`: forget the events.
 */
export function registerEventSinkRoutes(app: FastifyInstance, sink: EventSink): void {
  app.post('/_sandbox/event-sink', async (request, reply) => {
    const status = sink.receive(rawBodyOf(request).toString('utf8'), request.headers);
    return reply.status(status).send();
  });

  app.get('/_sandbox/event-sink', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .header('cache-control', 'no-store')
      .send(renderEventSink(sink.list(), sink.view())),
  );

  app.get('/_sandbox/event-sink/events', async () => ({ ...sink.view(), events: sink.list() }));

  app.put('/_sandbox/event-sink', async (request, reply) => {
    try {
      sink.configure(request.body);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      return reply
        .status(400)
        .send({ error: 'invalid event sink settings', problems: [err.message] });
    }
    return sink.view();
  });

  app.delete('/_sandbox/event-sink/events', async (_request, reply) => {
    sink.clear();
    return reply.status(204).send();
  });
}
