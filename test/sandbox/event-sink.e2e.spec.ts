import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { EventSink } from '../../src/sandbox/event-sink';
import {
  deliveryEnv,
  emailTo,
  postNotification,
  startSimulator,
} from '../delivery/delivery-fixture';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import { until } from '../support/until';

describe(EventSink.name, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  let secret: string;

  beforeAll(async () => {
    simulator = await startSimulator();
    herald = await startReadyHerald(
      deliveryEnv(simulator.url, {
        HERALD_EMAIL_PROVIDERS: 'sendgrid',
        HERALD_EVENT_ENDPOINT_HOSTS: '127.0.0.1',
        HERALD_EVENT_RETRY_SCHEDULE_MS: '20',
      }),
    );
    const res = await fetch(`${herald.url}/v1/event-endpoint`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${simulator.url}/_sandbox/event-sink` }),
    });
    expect(res.status).toBe(201);
    secret = ((await res.json()) as { secret: string }).secret;
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
  });

  const configure = (settings: unknown) =>
    fetch(`${simulator.url}/_sandbox/event-sink`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(settings),
    });
  const eventsOf = (id: string) => simulator.sinkEvents().filter((e) => e.notificationId === id);

  describe('when the secret Herald returned is set', () => {
    it('lists the event as verified, on its page too', async () => {
      expect((await configure({ secret })).status).toBe(200);
      const id = await postNotification(herald.url, emailTo('sink@example.com'));
      await until(() => eventsOf(id).length === 1, 10_000, 'the event in the sink');
      expect(eventsOf(id)[0]).toMatchObject({
        type: 'notification.sent',
        signature: 'verified',
        answered: 204,
        webhookId: expect.stringMatching(/^evt_/),
      });
      const page = await fetch(`${simulator.url}/_sandbox/event-sink`);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).toContain(id);
      expect(html).toContain('signature verified');
    });
  });

  describe('when another secret is set', () => {
    it('lists the event as failed, saying why', async () => {
      await configure({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
      const id = await postNotification(herald.url, emailTo('sink@example.com'));
      await until(() => eventsOf(id).length === 1, 10_000, 'the event in the sink');
      expect(eventsOf(id)[0]).toMatchObject({
        signature: 'failed',
        detail: 'No matching signature found',
      });
    });
  });

  describe('when the sink answers 503', () => {
    it('receives every try of the event under one webhook-id', async () => {
      await configure({ secret, status: 503 });
      const id = await postNotification(herald.url, emailTo('sink@example.com'));
      await until(() => eventsOf(id).length === 2, 10_000, 'both tries in the sink');
      const [second, first] = eventsOf(id);
      expect(second!.webhookId).toBe(first!.webhookId);
      expect(second).toMatchObject({ signature: 'verified', answered: 503 });
    });
  });

  describe('when the settings are bad', () => {
    it('answers 400 naming the field', async () => {
      const res = await configure({ secret: 'not-a-secret' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ problems: [expect.stringContaining('secret')] });
    });
  });
});
