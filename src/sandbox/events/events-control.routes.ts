import type { FastifyInstance } from 'fastify';
import { EVENT_PROVIDERS, isEventProvider } from './event-kinds';
import type { EventFilter } from './event-log';
import type { ProviderEvents } from './provider-events';
import { registerSnsRoutes } from './sns.routes';

const STATUSES = ['pending', 'delivered', 'failed', 'dropped', 'skipped'] as const;

/**
 * The control API of the events the simulator sends back:
 *
 * - `GET /_sandbox/webhooks`: each provider's webhook settings and what verifies its events
 *   (SendGrid `publicKey`, Mailgun `signingKey`, Twilio `authToken`, SES `topicArn`,
 *   `signingCertUrl` and `subscription`).
 * - `PUT /_sandbox/webhooks/:provider`: replace a provider's settings (JSON `WebhookSettings`).
 * - `GET /_sandbox/events?provider=&messageId=&notificationId=&kind=&status=`: events sent,
 *   pending, failed, dropped or skipped, newest first, each with the request as sent.
 * - `DELETE /_sandbox/events`: forget them.
 * - SNS's own URLs for SES events (see `sns.routes.ts`).
 */
export function registerEventControlRoutes(app: FastifyInstance, events: ProviderEvents): void {
  const unknownProvider = (name: string) => ({
    error: `no delivery events for provider "${name}"`,
    providers: EVENT_PROVIDERS,
  });

  app.get('/_sandbox/webhooks', async () => events.webhooks());

  app.put<{ Params: { provider: string } }>(
    '/_sandbox/webhooks/:provider',
    async (request, reply) => {
      const { provider } = request.params;
      if (!isEventProvider(provider)) return reply.status(404).send(unknownProvider(provider));
      try {
        events.setWebhook(provider, request.body ?? {});
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        return reply
          .status(400)
          .send({ error: 'invalid webhook settings', problems: [err.message] });
      }
      return events.webhooks()[provider];
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/_sandbox/events',
    async (request, reply) => {
      const { provider, messageId, notificationId, kind, status } = request.query;
      if (provider !== undefined && !isEventProvider(provider)) {
        return reply.status(400).send(unknownProvider(provider));
      }
      if (status !== undefined && !STATUSES.includes(status as (typeof STATUSES)[number])) {
        return reply.status(400).send({ error: `unknown status "${status}"`, statuses: STATUSES });
      }
      const filter: EventFilter = {
        provider,
        messageId,
        notificationId,
        kind,
        status: status as EventFilter['status'],
      };
      return { events: events.events(filter) };
    },
  );

  app.delete('/_sandbox/events', async (_request, reply) => {
    events.clearEvents();
    return reply.status(204).send();
  });

  registerSnsRoutes(app, events.topic);
}
