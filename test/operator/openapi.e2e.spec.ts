import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { z } from 'zod';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/load-config';
import { OPERATIONS } from '../../src/docs/openapi-operations';
import {
  acceptedNotificationSchema,
  livenessSchema,
  notificationRecordSchema,
  problemSchema,
  readinessSchema,
} from '../../src/docs/response.schemas';
import { messageFormsJsonSchema } from '../../src/notifications/notification-json-schema';
import { notificationSchemas } from '../../src/notifications/notification-message.schema';
import { EVENT_PROVIDERS } from '../../src/provider-events/provider-events.service';
import { providersStatusSchema } from '../../src/providers-status/provider-status.schema';
import { testEnv } from '../support/herald';

const KEY = 'ops-key-0123456789abcdef';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

describe('GET /docs', () => {
  let app: NestFastifyApplication;
  let url: string;
  /** Every route Nest registered (what Herald serves), as `METHOD /openapi/{path}`. */
  const served: string[] = [];

  beforeAll(async () => {
    const { config } = loadConfig({
      HOST: '127.0.0.1',
      PORT: '0',
      ...testEnv({ HERALD_AUTH: 'api-key', HERALD_API_KEYS: `ops:${KEY}`, HERALD_SANDBOX: 'true' }),
    });
    app = await createApp(config);
    // Nest adds its routes at init, after this hook. The docs' own routes are left out.
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRoute', (route) => {
        if (/^\/docs($|\/)/.test(route.url)) return;
        const methods = [route.method].flat().filter((m) => m !== 'HEAD');
        const path = route.url.replace(/:(\w+)/g, '{$1}');
        for (const m of methods) served.push(`${m} ${path}`);
      });
    await app.listen({ port: 0, host: '127.0.0.1' });
    // The provider webhooks are registered while the app is created, before the hook above.
    const fastify = app.getHttpAdapter().getInstance();
    for (const provider of EVENT_PROVIDERS) {
      const path = `/v1/provider-events/${provider}`;
      if (fastify.hasRoute({ method: 'POST', url: path })) served.push(`POST ${path}`);
    }
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(() => app?.close());

  const get = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${KEY}`, ...init.headers },
    });
  const documentOf = async () => (await (await get('/docs/json')).json()) as OpenApiDocument;
  const documented = (doc: OpenApiDocument) =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );

  it('serves Swagger UI as HTML', async () => {
    const res = await get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/swagger-ui/);
    for (const asset of ['/docs/swagger-ui-bundle.js', '/docs/swagger-ui-init.js']) {
      const served = await get(asset);
      expect(served.status, asset).toBe(200);
      // Read it all: an unread megabyte leaves the server mid-write, and close() then waits.
      expect((await served.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
  });

  it('documents every route Herald serves, and nothing else', async () => {
    const doc = await documentOf();
    expect(doc.openapi).toBe('3.1.0');
    expect(served.length).toBeGreaterThan(0);
    expect(documented(doc).sort()).toEqual([...new Set(served)].sort());
    expect(Object.keys(OPERATIONS).sort()).toEqual([...new Set(served)].sort());
  });

  it('documents the provider webhooks with their signature headers and no API key', async () => {
    const doc = await documentOf();
    const twilio = doc.paths['/v1/provider-events/twilio']!.post!;
    expect(twilio.security).toBeUndefined();
    expect(twilio.parameters).toContainEqual(
      expect.objectContaining({ name: 'X-Twilio-Signature', in: 'header', required: true }),
    );
    expect((twilio.requestBody as { content: object }).content).toHaveProperty([
      'application/x-www-form-urlencoded',
    ]);
    expect(Object.keys(twilio.responses as object).sort()).toEqual([
      '200',
      '401',
      '413',
      '414',
      '503',
    ]);
    const sendgrid = doc.paths['/v1/provider-events/sendgrid']!.post!;
    expect((sendgrid.parameters as { name: string }[]).map((p) => p.name)).toEqual([
      'X-Twilio-Email-Event-Webhook-Signature',
      'X-Twilio-Email-Event-Webhook-Timestamp',
    ]);
    // Admin routes are keyed as any /v1 route.
    expect(doc.paths['/v1/suppressions']!.put!.security).toEqual([{ bearer: [] }]);
  });

  it('takes the POST /v1/notifications body schema from the zod schema that validates it', async () => {
    const doc = await documentOf();
    const post = doc.paths['/v1/notifications']!.post!;
    expect(post.requestBody).toEqual({
      required: true,
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/NotificationMessage' } },
      },
    });
    const { config } = loadConfig(testEnv());
    const { $schema: _dialect, ...message } = messageFormsJsonSchema(
      notificationSchemas(config.limits).message,
    );
    expect(doc.components.schemas.NotificationMessage).toEqual(message);
    expect(JSON.stringify(message)).toContain('"fallbackAfterSeconds"');
    expect(post.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists the problem+json errors of each route by status', async () => {
    const doc = await documentOf();
    const responses = doc.paths['/v1/notifications']!.post!.responses as Record<
      string,
      { content?: Record<string, unknown> }
    >;
    expect(Object.keys(responses).sort()).toEqual(
      ['202', '400', '401', '409', '413', '414', '415', '422', '429', '503'].sort(),
    );
    expect(responses['400']!.content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
    expect(Object.keys(doc.paths['/health/ready']!.get!.responses as object).sort()).toEqual([
      '200',
      '503',
    ]);
  });

  describe('answers match the documented schemas', () => {
    const check = async (res: Response, status: number, schema: z.ZodType) => {
      expect(res.status).toBe(status);
      const body: unknown = await res.json();
      const parsed = schema.safeParse(body);
      expect(parsed.error?.issues ?? []).toEqual([]);
      return body;
    };

    it('for a notification accepted, read back and refused', async () => {
      const accepted = (await check(
        await get('/v1/notifications', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ channel: 'sms', to: '+14155550100', text: 'hi' }),
        }),
        202,
        acceptedNotificationSchema,
      )) as { id: string };
      await check(await get(`/v1/notifications/${accepted.id}`), 200, notificationRecordSchema);
      await check(
        await get('/v1/notifications', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ channel: 'sms', to: 'nope' }),
        }),
        400,
        problemSchema,
      );
      await check(await fetch(`${url}/v1/providers`), 401, problemSchema);
    });

    it('for a notification with a fallback step, its route included', async () => {
      const accepted = (await check(
        await get('/v1/notifications', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            channel: 'chat',
            to: 'C0123456789',
            text: 'hi',
            fallback: [{ channel: 'sms', to: '+14155550100', text: 'hi' }],
            fallbackAfterSeconds: 60,
          }),
        }),
        202,
        acceptedNotificationSchema,
      )) as { id: string };
      const record = (await check(
        await get(`/v1/notifications/${accepted.id}`),
        200,
        notificationRecordSchema,
      )) as { route?: unknown[] };
      expect(record.route).toHaveLength(1);
    });

    it('for the operator and health routes', async () => {
      await check(await get('/v1/providers'), 200, providersStatusSchema);
      await check(await get('/health/live'), 200, livenessSchema);
      await vi.waitFor(async () => check(await get('/health/ready'), 200, readinessSchema), {
        timeout: 5_000,
      });
    });
  });
});
