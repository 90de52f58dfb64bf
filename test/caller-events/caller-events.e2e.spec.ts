import fastify, { type FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import type { CallerEventPayload } from '../../src/caller-events/caller-event-payload';
import { CallerEventProcessor } from '../../src/caller-events/caller-event.processor';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import {
  deliveryEnv,
  emailTo,
  metricValue,
  openProducer,
  startSimulator,
} from '../delivery/delivery-fixture';
import { useWebhookReceiver, type ReceivedRequest } from '../sandbox/webhook-receiver';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import { until } from '../support/until';

const CALLERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'hank'] as const;
type Caller = (typeof CALLERS)[number] | 'ops';
const keyOf = (caller: Caller) => `${caller}-key-0123456789abcdef`;

/** A server that answers every request with a redirect to `location`, counting them. */
async function startRedirector(
  location: string,
): Promise<{ url: string; hits: ReceivedRequest[]; close(): Promise<void> }> {
  const hits: ReceivedRequest[] = [];
  const app: FastifyInstance = fastify({ logger: false, forceCloseConnections: true });
  app.post('/*', async (request, reply) => {
    hits.push({
      url: request.url,
      headers: request.headers,
      rawBody: JSON.stringify(request.body),
    });
    return reply.status(302).header('location', location).send();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/events`, hits, close: () => app.close() };
}

const header = (r: ReceivedRequest, name: string) => String(r.headers[name]);
const payloadOf = (r: ReceivedRequest) => JSON.parse(r.rawBody) as CallerEventPayload;

describe(CallerEventProcessor.name, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  const receiver = useWebhookReceiver();

  beforeAll(async () => {
    simulator = await startSimulator();
    herald = await startReadyHerald(
      deliveryEnv(simulator.url, {
        HERALD_AUTH: 'api-key',
        HERALD_API_KEYS: [
          ...CALLERS.map((c) => `${c}:${keyOf(c)}`),
          `ops+admin:${keyOf('ops')}`,
        ].join(','),
        HERALD_EMAIL_PROVIDERS: 'sendgrid',
        HERALD_EVENT_ENDPOINT_HOSTS: '127.0.0.1',
        // Three tries, 50 ms apart: the whole schedule in a blink.
        HERALD_EVENT_RETRY_SCHEDULE_MS: '50,50',
        // Short enough for the hanging endpoint's three tries, long for a loaded machine's 2xx.
        HERALD_EVENT_DEADLINE_MS: '1500',
      }),
    );
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
  });

  const api = (caller: Caller, method: string, path: string, body?: unknown) =>
    fetch(`${herald.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${keyOf(caller)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  /** Registers `caller`'s endpoint; returns its secret. */
  async function register(caller: Caller, url: string, events?: string[]): Promise<string> {
    const res = await api(caller, 'PUT', '/v1/event-endpoint', {
      url,
      ...(events ? { events } : {}),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { secret: string }).secret;
  }

  async function send(caller: Caller, body: unknown): Promise<string> {
    const res = await api(caller, 'POST', '/v1/notifications', body);
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  }

  /** Waits until the notification's record says `status` (read with the admin key). */
  const waitForStatus = (id: string, status: string) =>
    until(
      async () =>
        ((await (await api('ops', 'GET', `/v1/notifications/${id}`)).json()) as { status: string })
          .status === status,
      10_000,
      `notification ${id} ${status}`,
    );

  const at = (caller: Caller) =>
    receiver.received.filter((r) => r.url === receiver.url(`/${caller}`));
  const eventsFor = (caller: Caller, notificationId: string) =>
    at(caller).filter((r) => payloadOf(r).data.id === notificationId);

  describe('when the endpoint answers 503 to the first two tries', () => {
    it('delivers the event on the third, with the same webhook-id and a signature that verifies', async () => {
      const secret = await register('alice', receiver.url('/alice'), ['notification.sent']);
      let tries = 0;
      receiver.answer = () => (++tries <= 2 ? 503 : 204);
      const id = await send('alice', emailTo('ada@example.com', { metadata: { orderId: '42' } }));

      await until(() => eventsFor('alice', id).length >= 3, 10_000, 'three tries of the event');
      const [first, second, third] = eventsFor('alice', id);
      expect(header(second!, 'webhook-id')).toBe(header(first!, 'webhook-id'));
      expect(header(third!, 'webhook-id')).toBe(header(first!, 'webhook-id'));
      const verified = new Webhook(secret).verify(
        third!.rawBody,
        third!.headers as Record<string, string>,
      ) as CallerEventPayload;
      expect(verified).toMatchObject({
        type: 'notification.sent',
        id: header(third!, 'webhook-id'),
        timestamp: expect.any(String),
        data: {
          id,
          status: 'sent',
          channel: 'email',
          provider: 'sendgrid',
          recipient: 'a***@example.com',
          metadata: { orderId: '42' },
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      });
      expect(third!.rawBody).not.toContain('ada@example.com');
      await until(
        async () =>
          (await metricValue(herald.app, 'herald_caller_events_total', {
            type: 'notification.sent',
            outcome: 'delivered',
          })) >= 1,
        5_000,
        'the delivered event counted',
      );
      // No fourth try once one was taken.
      await waitForStatus(id, 'sent');
      expect(eventsFor('alice', id)).toHaveLength(3);
    });
  });

  describe('when the endpoint answers with a redirect', () => {
    it('does not follow it, and counts it as a failed try', async () => {
      const redirector = await startRedirector(receiver.url('/redirected-here'));
      try {
        await register('bob', redirector.url);
        const id = await send('bob', emailTo('bob@example.com'));
        await until(() => redirector.hits.length >= 3, 10_000, 'every try at the redirector');
        const ids = new Set(redirector.hits.map((h) => String(h.headers['webhook-id'])));
        expect(ids.size).toBe(1);
        expect(receiver.received.filter((r) => r.url.endsWith('/redirected-here'))).toEqual([]);
        await until(
          async () =>
            ((await (await api('bob', 'GET', '/v1/event-endpoint')).json()) as { state: string })
              .state === 'disabled',
          5_000,
          'the endpoint disabled',
        );
        const view = (await (await api('bob', 'GET', '/v1/event-endpoint')).json()) as {
          disabled: { reason: string };
        };
        expect(view.disabled.reason).toContain('HTTP 302 (a redirect, not followed)');
        expect(view.disabled.reason).toContain(id);
      } finally {
        await redirector.close();
      }
    });
  });

  describe('when the endpoint refuses every try of the schedule', () => {
    it('disables it, says why in GET, and a PUT enables it again', async () => {
      await register('carol', receiver.url('/carol'));
      receiver.answer = 500;
      const failedBefore = await metricValue(herald.app, 'herald_caller_events_total', {
        outcome: 'failed',
      });
      const id = await send('carol', emailTo('carol@example.com'));
      await until(() => eventsFor('carol', id).length >= 3, 10_000, 'three refused tries');

      let view: Record<string, unknown> = {};
      await until(
        async () => {
          view = (await (await api('carol', 'GET', '/v1/event-endpoint')).json()) as typeof view;
          return view.state === 'disabled';
        },
        5_000,
        'the endpoint disabled',
      );
      expect(view).toMatchObject({
        caller: 'carol',
        url: receiver.url('/carol'),
        state: 'disabled',
        disabled: { at: expect.any(String), reason: expect.stringContaining('HTTP 500') },
      });
      expect(view).not.toHaveProperty('secret');
      expect(
        await metricValue(herald.app, 'herald_caller_events_total', { outcome: 'failed' }),
      ).toBe(failedBefore + 1);

      // Disabled: a new event is dropped, not posted.
      const dropped = await send('carol', emailTo('carol@example.com'));
      await waitForStatus(dropped, 'sent');
      await until(
        async () =>
          (await metricValue(herald.app, 'herald_caller_events_total', {
            type: 'notification.sent',
            outcome: 'dropped',
          })) >= 1,
        5_000,
        'the event dropped',
      );
      expect(eventsFor('carol', dropped)).toEqual([]);

      receiver.answer = 200;
      const again = await api('carol', 'PUT', '/v1/event-endpoint', {
        url: receiver.url('/carol'),
      });
      expect(again.status).toBe(200);
      const enabled = (await again.json()) as Record<string, unknown>;
      expect(enabled).toMatchObject({ state: 'enabled' });
      expect(enabled).not.toHaveProperty('disabled');
      expect(enabled).not.toHaveProperty('secret');
      const after = await send('carol', emailTo('carol@example.com'));
      await until(
        () => eventsFor('carol', after).length === 1,
        10_000,
        'the event after re-enabling',
      );
    });
  });

  describe('when the endpoint never answers', () => {
    it('gives each try its deadline, then disables the endpoint', async () => {
      await register('hank', receiver.url('/hank'));
      receiver.answer = 'hang';
      const id = await send('hank', emailTo('hank@example.com'));
      await until(() => eventsFor('hank', id).length >= 3, 15_000, 'three tries');
      let view: { state?: string; disabled?: { reason: string } } = {};
      await until(
        async () => {
          view = (await (await api('hank', 'GET', '/v1/event-endpoint')).json()) as typeof view;
          return view.state === 'disabled';
        },
        10_000,
        'the endpoint disabled',
      );
      expect(view.disabled!.reason).toContain('no answer within 1500 ms');
    });
  });

  describe('when the secret was rotated', () => {
    it('signs with the old and the new secret during the overlap', async () => {
      const old = await register('dave', receiver.url('/dave'));
      const rotated = await api('dave', 'POST', '/v1/event-endpoint/rotate-secret');
      expect(rotated.status).toBe(200);
      const { secret, previousSecretValidUntil } = (await rotated.json()) as {
        secret: string;
        previousSecretValidUntil: string;
      };
      expect(secret).toMatch(/^whsec_/);
      expect(secret).not.toBe(old);
      expect(Date.parse(previousSecretValidUntil) - Date.now()).toBeGreaterThan(23 * 3600_000);

      const id = await send('dave', emailTo('dave@example.com'));
      await until(() => eventsFor('dave', id).length === 1, 10_000, 'the event');
      const [event] = eventsFor('dave', id);
      const headers = event!.headers as Record<string, string>;
      expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
      expect(new Webhook(old).verify(event!.rawBody, headers)).toMatchObject({ data: { id } });
      expect(new Webhook(secret).verify(event!.rawBody, headers)).toMatchObject({ data: { id } });
      const view = (await (await api('dave', 'GET', '/v1/event-endpoint')).json()) as object;
      expect(view).toMatchObject({ previousSecretValidUntil });
    });
  });

  describe('when a scheduled notification is cancelled', () => {
    it('posts notification.cancelled', async () => {
      const secret = await register('erin', receiver.url('/erin'));
      const sendAt = new Date(Date.now() + 3600_000).toISOString();
      const id = await send('erin', emailTo('erin@example.com', { sendAt }));
      expect((await api('erin', 'POST', `/v1/notifications/${id}/cancel`)).status).toBe(200);
      await until(() => eventsFor('erin', id).length === 1, 10_000, 'the cancelled event');
      const [event] = eventsFor('erin', id);
      expect(
        new Webhook(secret).verify(event!.rawBody, event!.headers as Record<string, string>),
      ).toMatchObject({
        type: 'notification.cancelled',
        data: { id, status: 'cancelled', cancelledAt: expect.any(String), sendAt },
      });
    });
  });

  describe('when two callers have endpoints', () => {
    it("never posts one caller's events to the other", async () => {
      await register('frank', receiver.url('/frank'));
      await register('grace', receiver.url('/grace'));
      const franks = await send('frank', emailTo('frank@example.com'));
      const graces = await send('grace', emailTo('grace@example.com'));
      await until(() => eventsFor('frank', franks).length === 1, 10_000, "frank's event");
      await until(() => eventsFor('grace', graces).length === 1, 10_000, "grace's event");
      expect(eventsFor('frank', graces)).toEqual([]);
      expect(eventsFor('grace', franks)).toEqual([]);
      expect(at('frank').map((r) => payloadOf(r).data.id)).toEqual([franks]);
      expect(at('grace').map((r) => payloadOf(r).data.id)).toEqual([graces]);
    });
  });

  describe("when an admin registers the queue producers' endpoint", () => {
    it('posts the events of notifications from queue jobs there', async () => {
      const queueCaller = `queue:${herald.config.queue.name}`;
      const res = await api(
        'ops',
        'PUT',
        `/v1/event-endpoint?caller=${encodeURIComponent(queueCaller)}`,
        { url: receiver.url('/queue') },
      );
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ caller: queueCaller });
      const producer = await openProducer(herald);
      try {
        const job = await producer.queue.add('send', emailTo('queued@example.com'));
        const { id } = (await job.waitUntilFinished(producer.events, 10_000)) as { id: string };
        await until(
          () =>
            receiver.received.some(
              (r) => r.url === receiver.url('/queue') && payloadOf(r).data.id === id,
            ),
          10_000,
          "the queue job's event",
        );
      } finally {
        await producer.close();
      }
    });
  });
});
