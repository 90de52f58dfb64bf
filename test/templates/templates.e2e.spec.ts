import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEND_JOB } from '../../src/queue/queue.constants';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { TemplatesService } from '../../src/templates/templates.service';
import {
  deliveryEnv,
  isFinal,
  openProducer,
  postNotification,
  type Producer,
  startSimulator,
  waitForRecord,
} from '../delivery/delivery-fixture';
import { post, request } from '../notifications/notification-requests';
import {
  type RunningHerald,
  startHerald,
  startReadyHerald,
  testEnv,
  uniquePrefix,
} from '../support/herald';

const ORDER = {
  order: {
    id: 'A-1042',
    customerName: 'Ada <Lovelace> & Co',
    items: [
      { name: 'Analytical Engine manual', quantity: 1, price: '$24.00' },
      { name: 'Punch cards', quantity: 2, price: '$6.00' },
    ],
    total: '$36.00',
    trackingUrl: 'https://track.example.com/A-1042?x=1&y=2',
  },
};
const orderEmail = (extra: Record<string, unknown> = {}) => ({
  channel: 'email',
  to: ['ada@example.com'],
  template: 'order-confirmation',
  data: ORDER,
  ...extra,
});

describe(TemplatesService.name, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;

  beforeAll(async () => {
    simulator = await startSimulator();
    herald = await startReadyHerald(deliveryEnv(simulator.url, { HERALD_MAX_BODY_BYTES: '8000' }));
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
  });
  beforeEach(() => simulator.reset());

  /** Sends through REST and waits for the provider's captured copy. */
  async function sendAndCapture(body: unknown) {
    const id = await postNotification(herald.url, body);
    const record = await waitForRecord(herald.url, id, isFinal);
    expect(record.status).toBe('sent');
    const [captured] = simulator.messages({ notificationId: id });
    return { record, captured: captured! };
  }

  describe('when a templated e-mail fails over', () => {
    it('sends the same bytes through Mailgun as through SendGrid', async () => {
      const viaSendgrid = await sendAndCapture(orderEmail({ locale: 'fr' }));
      simulator.setBehaviour('sendgrid', { mode: 'fail', status: 503 });
      const viaMailgun = await sendAndCapture(orderEmail({ locale: 'fr' }));

      expect(viaSendgrid.record.provider).toBe('sendgrid');
      expect(viaMailgun.record.provider).toBe('mailgun');
      expect(viaMailgun.record.attempts[0]).toMatchObject({ provider: 'sendgrid' });
      const bytes = (m: typeof viaSendgrid.captured) =>
        ['subject', 'text', 'html'].map((f) =>
          Buffer.from(String(m[f as 'subject' | 'text' | 'html'])),
        );
      const [subject, text, html] = bytes(viaSendgrid.captured);
      expect(subject!.toString()).toBe('Votre commande A-1042 est confirmée');
      expect(html!.toString()).toContain('Merci, Ada &lt;Lovelace&gt; &amp; Co');
      expect(html!.toString()).toContain('href="https://track.example.com/A-1042?x=1&amp;y=2"');
      expect(text!.toString()).toContain('Bonjour Ada <Lovelace> & Co,');
      const again = bytes(viaMailgun.captured);
      expect(again[0]!.equals(subject!)).toBe(true);
      expect(again[1]!.equals(text!)).toBe(true);
      expect(again[2]!.equals(html!)).toBe(true);
    });
  });

  describe('when the data does not match the template', () => {
    it('answers 400 naming each missing and wrongly typed field', async () => {
      const answer = await post(
        `${herald.url}/v1/notifications`,
        orderEmail({ data: { order: { id: 1042, items: [{ name: 'x', quantity: '2' }] } } }),
      );
      expect(answer.status).toBe(400);
      expect(answer.contentType).toMatch(/^application\/problem\+json/);
      expect(answer.body.code).toBe('template_data_invalid');
      expect(answer.body.errors).toEqual(
        expect.arrayContaining([
          { field: 'data.order.id', message: 'must be string' },
          { field: 'data.order.customerName', message: 'is required' },
          { field: 'data.order.total', message: 'is required' },
          { field: 'data.order.items.0.quantity', message: 'must be integer' },
          { field: 'data.order.items.0.price', message: 'is required' },
        ]),
      );
      expect(answer.body.errors).toHaveLength(5);
      expect(answer.body.detail).toMatch(/template "order-confirmation"/);
      expect(simulator.messages()).toEqual([]);
    });

    it('fails a producer job at once with the fields in its reason', async () => {
      const producer: Producer = await openProducer(herald);
      try {
        const job = await producer.queue.add(
          SEND_JOB,
          orderEmail({ data: { order: { id: 'A-1' } } }),
          { attempts: 5 },
        );
        await expect(job.waitUntilFinished(producer.events, 10_000)).rejects.toThrow(
          /^Invalid data for template "order-confirmation": .*data\.order\.customerName: is required/,
        );
        expect((await producer.queue.getJob(job.id!))?.attemptsMade).toBe(1);
      } finally {
        await producer.close();
      }
    });
  });

  describe('when a producer job names a template', () => {
    it('renders it and delivers, as REST does', async () => {
      const producer: Producer = await openProducer(herald);
      try {
        const job = await producer.queue.add(SEND_JOB, orderEmail({ locale: 'fr-CA' }));
        const result = (await job.waitUntilFinished(producer.events, 10_000)) as { id: string };
        const [captured] = simulator.messages({ notificationId: result.id });
        expect(captured?.subject).toBe('Votre commande A-1042 est confirmée');
      } finally {
        await producer.close();
      }
    });
  });

  describe('when choosing the locale', () => {
    it('sends the French variant for fr', async () => {
      const { captured } = await sendAndCapture(orderEmail({ locale: 'fr' }));
      expect(captured.subject).toBe('Votre commande A-1042 est confirmée');
    });

    it('falls back to the default for a locale the template does not have', async () => {
      const { captured } = await sendAndCapture(orderEmail({ locale: 'de-AT' }));
      expect(captured.subject).toBe('Your order A-1042 is confirmed');
      expect(captured.html).toContain('<html lang="en">');
    });

    it('uses fr-CA for an SMS and falls back from fr-CA to fr for the e-mail', async () => {
      const sms = await sendAndCapture({
        channel: 'sms',
        to: '+14155550100',
        template: 'order-confirmation',
        locale: 'fr-CA',
        data: ORDER,
      });
      expect(sms.captured.text).toMatch(/Merci de magasiner chez nous!$/);
      const email = await sendAndCapture(orderEmail({ locale: 'fr-CA' }));
      expect(email.captured.subject).toBe('Votre commande A-1042 est confirmée');
    });
  });

  describe('when the message cannot be rendered', () => {
    it('answers 422 template_not_found for an unknown template or a missing channel', async () => {
      const unknown = await post(
        `${herald.url}/v1/notifications`,
        orderEmail({ template: 'nope' }),
      );
      expect(unknown.status).toBe(422);
      expect(unknown.body).toMatchObject({
        code: 'template_not_found',
        errors: [{ field: 'template', message: 'is not a known template' }],
      });
      const noChat = await post(`${herald.url}/v1/notifications`, {
        channel: 'chat',
        to: 'C0123456789',
        template: 'password-reset',
        data: {},
      });
      expect(noChat.status).toBe(422);
      expect(noChat.body).toMatchObject({
        code: 'template_not_found',
        errors: [{ field: 'channel', message: 'template "password-reset" has email, sms' }],
      });
    });

    it('answers 422 naming the template when its output breaks the message limits', async () => {
      const items = Array.from({ length: 40 }, (_, i) => ({
        name: `Item ${i}`,
        quantity: 1,
        price: '$1.00',
      }));
      const answer = await post(
        `${herald.url}/v1/notifications`,
        orderEmail({ data: { order: { ...ORDER.order, items } } }),
      );
      expect(answer.status).toBe(422);
      expect(answer.body).toMatchObject({
        code: 'template_output_invalid',
        errors: [{ field: 'html', message: 'must be at most 8000 bytes' }],
      });
      expect(answer.body.detail).toMatch(
        /^Template "order-confirmation" \(default\) rendered email/,
      );
    });

    it('answers 400 for content and a template in one message', async () => {
      const answer = await post(
        `${herald.url}/v1/notifications`,
        orderEmail({ subject: 'Hi', text: 'Hello' }),
      );
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'validation_failed' });
      expect(answer.body.errors).toEqual([
        { field: 'subject', message: 'cannot be combined with template' },
        { field: 'text', message: 'cannot be combined with template' },
      ]);
    });
  });

  describe('GET /v1/templates', () => {
    it('lists every template with its channels, locales and data schema', async () => {
      const answer = await request(`${herald.url}/v1/templates`);
      expect(answer.status).toBe(200);
      const templates = answer.body.templates as { name: string; schema: unknown }[];
      expect(templates.map((t) => t.name)).toEqual([
        'oncall-alert',
        'order-confirmation',
        'password-reset',
      ]);
      expect(templates[1]).toMatchObject({
        channels: ['email', 'sms'],
        locales: ['default', 'fr', 'fr-CA'],
        schema: { type: 'object', required: ['order'] },
      });
    });
  });

  describe('POST /v1/templates/:name/preview', () => {
    const preview = (name: string, body: unknown) =>
      post(`${herald.url}/v1/templates/${name}/preview`, body);

    it('renders the content a send stores and sends', async () => {
      const answer = await preview('order-confirmation', {
        channel: 'email',
        locale: 'fr',
        data: ORDER,
      });
      expect(answer.status).toBe(200);
      const { captured } = await sendAndCapture(orderEmail({ locale: 'fr' }));
      expect(answer.body).toEqual({
        template: 'order-confirmation',
        channel: 'email',
        locale: 'fr',
        content: { subject: captured.subject, text: captured.text, html: captured.html },
      });
    });

    it('renders chat blocks', async () => {
      const answer = await preview('oncall-alert', {
        channel: 'chat',
        data: {
          alert: {
            title: 'Disk full',
            severity: 'critical',
            service: 'db',
            startedAt: '2026-12-01T14:00:00Z',
          },
        },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.content).toMatchObject({
        text: '[CRITICAL] db: Disk full',
        blocks: expect.arrayContaining([expect.objectContaining({ type: 'header' })]),
      });
    });

    it.each([
      ['bad data', { data: { order: { id: 5 } } }],
      ['a channel the template lacks', { channel: 'chat', to: 'C0123456789' }],
    ])('answers %s with the same problem as a send', async (_, change) => {
      const { channel, to, data, ...rest } = { ...orderEmail(), ...change } as Record<
        string,
        unknown
      >;
      const sent = await post(`${herald.url}/v1/notifications`, { channel, to, data, ...rest });
      const previewed = await preview('order-confirmation', { channel, data });
      expect(sent.status).toBeGreaterThanOrEqual(400);
      expect(previewed.status).toBe(sent.status);
      expect(previewed.body).toEqual(sent.body);
    });

    it('answers an unknown template as a send does', async () => {
      const sent = await post(`${herald.url}/v1/notifications`, orderEmail({ template: 'nope' }));
      const previewed = await preview('nope', { channel: 'email', data: {} });
      expect(previewed.status).toBe(422);
      expect(previewed.body).toEqual(sent.body);
    });

    it('answers 400 naming the field for a bad preview body', async () => {
      const answer = await preview('order-confirmation', { channel: 'fax', extra: 1 });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'channel' }),
          { field: 'extra', message: 'is not a known field' },
        ]),
      );
    });
  });
});

describe('templates across processes', () => {
  let simulator: ProviderSimulator;
  let dir: string;
  const running: RunningHerald[] = [];

  beforeAll(async () => {
    simulator = await startSimulator();
    dir = mkdtempSync(join(tmpdir(), 'herald-templates-'));
    cpSync(join(__dirname, '..', '..', 'templates'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'order-confirmation', 'email.subject.liquid'),
      'EDITED {{ order.id }}\n',
    );
  });
  afterAll(async () => {
    for (const h of running) await h.close();
    await simulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends what intake rendered, even from a worker whose templates were edited since', async () => {
    const shared = { HERALD_REDIS_PREFIX: uniquePrefix() };
    const api = await startReadyHerald(
      deliveryEnv(simulator.url, { ...shared, HERALD_ROLE: 'api' }),
    );
    running.push(api);
    const id = await postNotification(api.url, orderEmail());
    const worker = await startHerald(
      deliveryEnv(simulator.url, { ...shared, HERALD_ROLE: 'worker', HERALD_TEMPLATES_DIR: dir }),
    );
    running.push(worker);

    const record = await waitForRecord(api.url, id, isFinal);
    expect(record.status).toBe('sent');
    expect(simulator.messages({ notificationId: id })[0]?.subject).toBe(
      'Your order A-1042 is confirmed',
    );
    // The worker did load the edited folder: rendering there now gives the new subject.
    const rendered = worker.app
      .get(TemplatesService)
      .preview('order-confirmation', { channel: 'email', data: ORDER });
    expect(rendered.content.subject).toBe('EDITED A-1042');
  });

  it('replays an Idempotency-Key after a template edit: the key covers the request as sent', async () => {
    const shared = { HERALD_REDIS_PREFIX: uniquePrefix(), HERALD_ROLE: 'api' };
    const before = await startReadyHerald(deliveryEnv(simulator.url, shared));
    running.push(before);
    const after = await startReadyHerald(
      deliveryEnv(simulator.url, { ...shared, HERALD_TEMPLATES_DIR: dir }),
    );
    running.push(after);
    const headers = { 'idempotency-key': 'order-A-1042-confirmation' };

    const first = await post(`${before.url}/v1/notifications`, orderEmail(), headers);
    const again = await post(`${after.url}/v1/notifications`, orderEmail(), headers);

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
  });
});

describe('the templates API with API keys', () => {
  const key = 'alice-key-0123456789abcdef';
  let herald: RunningHerald;

  beforeAll(async () => {
    herald = await startHerald(
      testEnv({ HERALD_AUTH: 'api-key', HERALD_API_KEYS: `alice:${key}` }),
    );
  });
  afterAll(() => herald?.close());

  it.each([
    ['GET', '/v1/templates'],
    ['POST', '/v1/templates/password-reset/preview'],
  ])('answers %s %s with 401 without a key, and serves it with one', async (method, path) => {
    const init = (headers: Record<string, string>): RequestInit => ({
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(method === 'POST'
        ? {
            body: JSON.stringify({
              channel: 'sms',
              data: {
                user: { name: 'Grace' },
                resetUrl: 'https://example.com/r',
                expiresInMinutes: 5,
              },
            }),
          }
        : {}),
    });
    const without = await request(`${herald.url}${path}`, init({}));
    expect(without.status).toBe(401);
    expect(without.body.code).toBe('unauthorized');
    const withKey = await request(`${herald.url}${path}`, init({ authorization: `Bearer ${key}` }));
    expect(withKey.status).toBe(200);
  });
});
