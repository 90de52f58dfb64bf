import { EventEndpointController } from '../../src/caller-events/event-endpoint.controller';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';

const KEY = 'ivy-key-0123456789abcdef';
const OTHER = 'jim-key-0123456789abcdef';

describe(EventEndpointController.name, () => {
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startReadyHerald(
      testEnv({
        HERALD_AUTH: 'api-key',
        HERALD_API_KEYS: `ivy:${KEY},jim:${OTHER}`,
        HERALD_EVENT_ENDPOINT_HOSTS: 'events.example.com,*.hooks.example.org',
      }),
    );
  });
  afterAll(() => herald?.close());

  const call = (method: string, body?: unknown, key = KEY, query = '') =>
    fetch(`${herald.url}/v1/event-endpoint${query}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  describe('when the URL names a host not in HERALD_EVENT_ENDPOINT_HOSTS', () => {
    it('refuses it with 422 naming url', async () => {
      const res = await call('PUT', { url: 'https://evil.example.net/events' });
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({
        code: 'event_endpoint_host_not_allowed',
        errors: [{ field: 'url', message: expect.stringContaining('evil.example.net') }],
      });
      expect((await call('GET')).status).toBe(404);
    });
  });

  describe('when the body is invalid', () => {
    it.each([
      [{ url: 'ftp://events.example.com/x' }, 'url'],
      [{ url: 'https://events.example.com/x', events: ['notification.opened'] }, 'events'],
      [{ url: 'https://events.example.com/x', events: [] }, 'events'],
      [{ url: 'https://events.example.com/x', extra: 1 }, 'extra'],
      [{}, 'url'],
    ])('answers 400 naming the field (%j)', async (body, field) => {
      const res = await call('PUT', body);
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { code: string; errors: { field: string }[] };
      expect(problem.code).toBe('validation_failed');
      expect(problem.errors.map((e) => e.field.split('.')[0])).toContain(field);
    });
  });

  describe('when a caller registers, reads, replaces and deletes its endpoint', () => {
    it('shows the secret only on creation and never in GET', async () => {
      const created = await call('PUT', {
        url: 'https://a.hooks.example.org/herald',
        events: ['notification.bounced'],
      });
      expect(created.status).toBe(201);
      const body = (await created.json()) as { secret: string; state: string; events: string[] };
      expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(body).toMatchObject({ state: 'enabled', events: ['notification.bounced'] });

      const got = await call('GET');
      expect(got.status).toBe(200);
      const view = (await got.json()) as Record<string, unknown>;
      expect(view).toMatchObject({
        caller: 'ivy',
        url: 'https://a.hooks.example.org/herald',
        state: 'enabled',
      });
      expect(JSON.stringify(view)).not.toContain(body.secret);

      const replaced = await call('PUT', { url: 'https://events.example.com/h' });
      expect(replaced.status).toBe(200);
      const after = (await replaced.json()) as { events: string[] };
      expect(after).not.toHaveProperty('secret');
      expect(after.events).toHaveLength(8);

      // Another caller sees none of it.
      expect((await call('GET', undefined, OTHER)).status).toBe(404);
      expect((await call('GET', undefined, OTHER, '?caller=ivy')).status).toBe(400);

      expect((await call('DELETE')).status).toBe(204);
      expect((await call('GET')).status).toBe(404);
      expect((await call('DELETE')).status).toBe(404);
      expect(
        (
          await fetch(`${herald.url}/v1/event-endpoint/rotate-secret`, {
            method: 'POST',
            headers: { authorization: `Bearer ${KEY}` },
          })
        ).status,
      ).toBe(404);
    });
  });
});
