import { request as httpRequest } from 'node:http';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';

const KEYS = {
  a: 'a-key-0123456789abcdef',
  b: 'b-key-0123456789abcdef',
  ops: 'ops-key-0123456789abcdef',
};

const EMAIL = {
  channel: 'email',
  to: ['ada@example.com'],
  from: 'ops@example.com',
  subject: 'Hello',
  text: 'It works',
  metadata: { orderId: 'A-1' },
};

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function call(
  url: string,
  init: { method?: string; key?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown>; text: string; headers: Headers }> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.key ? bearer(init.key) : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // HTML or Prometheus text.
  }
  return { status: res.status, body, text, headers: res.headers };
}

/** A request with the same header sent twice, as two header lines (fetch would join them). */
function postWithRepeatedHeader(
  url: string,
  header: string,
  values: string[],
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST' }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown> }),
      );
    });
    for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
    req.setHeader(header, values);
    req.on('error', reject);
    req.end(body);
  });
}

describe('callers', () => {
  let herald: RunningHerald;
  let ofA: string;
  let ofB: string;

  beforeAll(async () => {
    herald = await startReadyHerald(
      testEnv({
        HERALD_ROLE: 'api',
        HERALD_AUTH: 'api-key',
        HERALD_API_KEYS: `a:${KEYS.a},b:${KEYS.b},ops+admin:${KEYS.ops}`,
        HERALD_BODY_LIMIT_BYTES: '65536',
      }),
    );
    const sent = await Promise.all(
      [KEYS.a, KEYS.b].map((key) => call(`${herald.url}/v1/notifications`, { key, body: EMAIL })),
    );
    expect(sent.map((s) => s.status)).toEqual([202, 202]);
    [ofA, ofB] = sent.map((s) => s.body.id as string) as [string, string];
  });
  afterAll(() => herald.close());

  describe('GET /v1/notifications/:id', () => {
    it('shows a caller its own notification', async () => {
      const answer = await call(`${herald.url}/v1/notifications/${ofA}`, { key: KEYS.a });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: ofA, caller: 'a', metadata: { orderId: 'A-1' } });
    });

    it("answers another caller's notification with 404, as an unknown id, without its data", async () => {
      const answer = await call(`${herald.url}/v1/notifications/${ofA}`, { key: KEYS.b });
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('not_found');
      expect(answer.text).not.toContain('A-1');
    });

    it('shows an admin key every caller’s notification', async () => {
      for (const [id, caller] of [
        [ofA, 'a'],
        [ofB, 'b'],
      ] as const) {
        const answer = await call(`${herald.url}/v1/notifications/${id}`, { key: KEYS.ops });
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ id, caller });
      }
    });

    it('says the record is from sandbox mode', async () => {
      const answer = await call(`${herald.url}/v1/notifications/${ofB}`, { key: KEYS.b });
      expect(answer.body.sandbox).toBe(true);
    });
  });

  describe('POST /v1/notifications/:id/retry', () => {
    it("refuses another caller's notification with 404", async () => {
      const answer = await call(`${herald.url}/v1/notifications/${ofA}/retry`, {
        method: 'POST',
        key: KEYS.b,
      });
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('not_found');
    });

    it('lets the owner and an admin reach it (409: it has not failed)', async () => {
      for (const key of [KEYS.a, KEYS.ops]) {
        const answer = await call(`${herald.url}/v1/notifications/${ofA}/retry`, {
          method: 'POST',
          key,
        });
        expect(answer.status).toBe(409);
        expect(answer.body.code).toBe('notification_not_retryable');
      }
    });
  });

  describe('POST /v1/notifications/:id/cancel', () => {
    it("refuses another caller's notification with 404 and leaves it queued", async () => {
      const answer = await call(`${herald.url}/v1/notifications/${ofA}/cancel`, {
        method: 'POST',
        key: KEYS.b,
      });
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('not_found');
      const record = await call(`${herald.url}/v1/notifications/${ofA}`, { key: KEYS.a });
      expect(record.body.status).toBe('queued');
    });

    it("lets an admin cancel any caller's notification", async () => {
      const answer = await call(`${herald.url}/v1/notifications/${ofB}/cancel`, {
        method: 'POST',
        key: KEYS.ops,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ id: ofB, status: 'cancelled' });
    });
  });

  describe('authentication comes first', () => {
    it('answers a keyless 2 MB body with 401, not 413', async () => {
      const answer = await call(`${herald.url}/v1/notifications`, {
        body: { ...EMAIL, text: 'x'.repeat(2 * 1024 * 1024) },
      });
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('unauthorized');
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="herald"/);
    });

    it.each([
      ['malformed JSON', 'application/json', '{"channel":'],
      ['a text body', 'text/plain', 'hello'],
    ])('answers a keyless request with %s with 401, not 400 or 415', async (_, type, body) => {
      const res = await fetch(`${herald.url}/v1/notifications`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      expect(res.status).toBe(401);
    });

    it('answers a wrong key with 401', async () => {
      const answer = await call(`${herald.url}/v1/notifications/${ofA}`, { key: 'x'.repeat(20) });
      expect(answer.status).toBe(401);
    });
  });

  describe('the Idempotency-Key header', () => {
    it('is refused with 400 when sent twice, rather than joined into "a, b"', async () => {
      const answer = await postWithRepeatedHeader(
        `${herald.url}/v1/notifications`,
        'Idempotency-Key',
        ['order-1', 'order-2'],
        { 'content-type': 'application/json', ...bearer(KEYS.a) },
        JSON.stringify(EMAIL),
      );
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('invalid_idempotency_key');
    });

    it('may hold a comma when sent once', async () => {
      const answer = await call(`${herald.url}/v1/notifications`, {
        key: KEYS.a,
        body: EMAIL,
        headers: { 'idempotency-key': 'order-1, order-2' },
      });
      expect(answer.status).toBe(202);
    });
  });

  describe('the operator surface', () => {
    it.each(['/v1/providers', '/status'])('%s needs a key', async (path) => {
      const answer = await call(`${herald.url}${path}`);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('Basic realm="herald"');
    });

    it('/v1/providers answers any valid key, and says sandbox mode', async () => {
      const answer = await call(`${herald.url}/v1/providers`, { key: KEYS.b });
      expect(answer.status).toBe(200);
      expect(answer.body.sandbox).toBe(true);
    });

    it('/status answers a browser sending the key as the Basic password, with a sandbox banner', async () => {
      const basic = Buffer.from(`anyone:${KEYS.a}`).toString('base64');
      const answer = await call(`${herald.url}/status`, {
        headers: { authorization: `Basic ${basic}` },
      });
      expect(answer.status).toBe(200);
      expect(answer.text).toContain('id="sandbox-banner"');
    });

    it('/metrics stays public by default, as Prometheus expects', async () => {
      expect((await call(`${herald.url}/metrics`)).status).toBe(200);
    });

    it.each(['/health/live', '/health/ready', '/v1/schema/notification.json', '/docs/json'])(
      '%s stays public',
      async (path) => {
        expect((await call(`${herald.url}${path}`)).status).toBe(200);
      },
    );

    it('/health/ready says sandbox mode', async () => {
      expect((await call(`${herald.url}/health/ready`)).body.sandbox).toBe(true);
    });

    it('answers an unknown route with 404, not 401', async () => {
      expect((await call(`${herald.url}/nowhere`)).status).toBe(404);
    });
  });
});

describe('callers with HERALD_METRICS_AUTH=api-key', () => {
  let herald: RunningHerald;
  beforeAll(async () => {
    herald = await startReadyHerald(
      testEnv({
        HERALD_ROLE: 'api',
        HERALD_AUTH: 'api-key',
        HERALD_API_KEYS: `a:${KEYS.a}`,
        HERALD_METRICS_AUTH: 'api-key',
      }),
    );
  });
  afterAll(() => herald.close());

  it('/metrics needs a key', async () => {
    expect((await call(`${herald.url}/metrics`)).status).toBe(401);
    expect((await call(`${herald.url}/metrics`, { key: KEYS.a })).status).toBe(200);
  });
});
