import { createHmac, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { type AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import twilio from 'twilio';
import { SANDBOX_SENDGRID_WEBHOOK_KEYS } from '../../src/config/sandbox-credentials';
import type { NotificationRecord } from '../../src/contracts/notification-record';
import { ProviderEventsService } from '../../src/provider-events/provider-events.service';
import { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import {
  deliveryEnv,
  emailTo,
  metricValue,
  postNotification,
  waitForRecord,
} from '../delivery/delivery-fixture';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import { freePort } from '../support/redis-server';
import { until } from '../support/until';

type Provider = 'sendgrid' | 'mailgun' | 'ses' | 'twilio';

const settled = (status: NotificationRecord['status']) => (r: NotificationRecord) =>
  r.status === status;

describe(ProviderEventsService.name, () => {
  let simulator: ProviderSimulator;
  const heralds: Partial<Record<Provider, RunningHerald>> = {};

  beforeAll(async () => {
    simulator = new ProviderSimulator({
      events: {
        sendgridPrivateKey: SANDBOX_SENDGRID_WEBHOOK_KEYS.privateKey,
        retryDelaysMs: [50, 50],
      },
    });
    await simulator.start();
    // One Herald per scheme, each sending e-mail through that provider first.
    for (const [provider, order] of [
      ['sendgrid', 'sendgrid'],
      ['mailgun', 'mailgun'],
      ['ses', 'ses'],
      ['twilio', 'sendgrid'],
    ] as const) {
      const port = await freePort();
      heralds[provider] = await startReadyHerald(
        deliveryEnv(simulator.url, {
          PORT: String(port),
          HERALD_PUBLIC_URL: `http://127.0.0.1:${port}`,
          HERALD_EMAIL_PROVIDERS: order,
          SENDGRID_WEBHOOK_PUBLIC_KEY: SANDBOX_SENDGRID_WEBHOOK_KEYS.publicKey,
          MAILGUN_WEBHOOK_SIGNING_KEY: simulator.webhooks().mailgun.signingKey,
          SES_SNS_TOPIC_ARNS: simulator.webhooks().ses.topicArn,
          SES_SNS_CERT_ORIGINS: new URL(simulator.url).origin,
          // The status rates' window: long enough that no event of the spec leaves it.
          HERALD_BREAKER_ROLLING_WINDOW_MS: '600000',
        }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(Object.values(heralds).map((h) => h.close()));
    await simulator?.stop();
  });

  const herald = (p: Provider) => heralds[p]!;
  /** Points the provider's webhook at its Herald; SNS first has Herald confirm the subscription. */
  const hook = async (p: Provider, extra: { repeat?: number } = {}) => {
    simulator.setWebhook(p, { url: `${herald(p).url}/v1/provider-events/${p}`, ...extra });
    if (p === 'ses') {
      await until(
        () => simulator.webhooks().ses.subscription === 'confirmed',
        10_000,
        'the SNS subscription confirmed',
      );
    }
  };
  const count = (p: Provider, verdict: string) =>
    metricValue(herald(p).app, 'herald_provider_events_total', { provider: p, verdict });

  /** The admin API's answer for an e-mail address (authentication is off: anonymous is admin). */
  const suppression = async (p: Provider, recipient: string) =>
    (await (
      await fetch(
        `${herald(p).url}/v1/suppressions?${new URLSearchParams({ channel: 'email', recipient })}`,
      )
    ).json()) as Record<string, unknown>;
  const sendEmail = (p: 'sendgrid' | 'mailgun' | 'ses', to: string) =>
    postNotification(herald(p).url, emailTo(to));
  const sendSms = (to: string) =>
    postNotification(herald('twilio').url, { channel: 'sms', to, text: 'Your code is 1234' });

  /** Every event of the notification has been answered 2xx (or given up on). */
  const eventsDone = (notificationId: string, n: number) =>
    until(
      () => {
        const events = simulator.events({ notificationId });
        return events.length >= n && events.every((e) => e.status !== 'pending');
      },
      10_000,
      `${n} events of ${notificationId} answered`,
    );

  describe.each(['sendgrid', 'mailgun', 'ses'] as const)('when %s reports on an e-mail', (p) => {
    beforeEach(() => hook(p));

    it('a normal send ends delivered, the event on the record', async () => {
      const id = await sendEmail(p, 'ada@example.com');
      const record = await waitForRecord(herald(p).url, id, settled('delivered'));
      expect(record.sentAt).toBeDefined();
      expect(record.events).toEqual([
        expect.objectContaining({ type: 'delivered', provider: p, at: expect.any(String) }),
      ]);
    });

    it('a bounce ends bounced and suppresses the address', async () => {
      const id = await sendEmail(p, 'bounce@simulator.herald.test');
      const record = await waitForRecord(herald(p).url, id, settled('bounced'));
      expect(record.events!.map((e) => e.type)).toEqual(['bounced']);
      expect(await suppression(p, 'bounce@simulator.herald.test')).toMatchObject({
        suppressed: true,
        reason: 'hard_bounce',
        provider: p,
      });
    });

    it('a complaint after delivery is recorded and suppresses the address', async () => {
      const id = await sendEmail(p, 'complaint@simulator.herald.test');
      const record = await waitForRecord(herald(p).url, id, settled('complained'));
      expect(record.events!.map((e) => e.type)).toEqual(['delivered', 'complained']);
      expect(await suppression(p, 'complaint@simulator.herald.test')).toMatchObject({
        suppressed: true,
        reason: 'complaint',
        provider: p,
      });
    });

    it("counts the bounce and the complaint in the window's rates", async () => {
      const res = await fetch(`${herald(p).url}/v1/providers`);
      const { providers } = (await res.json()) as {
        providers: { provider: string; deliveryEvents?: Record<string, number> }[];
      };
      const events = providers.find((v) => v.provider === p)!.deliveryEvents!;
      expect(events).toMatchObject({ bounced: 1, complained: 1 });
      expect(events.delivered).toBeGreaterThanOrEqual(2);
      expect(events.bouncePercent).toBeGreaterThan(0);
      expect(events.complaintPercent).toBeGreaterThan(0);
      const page = await (await fetch(`${herald(p).url}/status`)).text();
      expect(page).toMatch(new RegExp(`data-provider="${p}"[^]*?<td class="num bounces">1 <small`));
    });

    it('applies the same event posted three times once', async () => {
      await hook(p, { repeat: 3 });
      const before = await count(p, 'duplicate');
      const id = await sendEmail(p, 'ada@example.com');
      await eventsDone(id, 3);
      expect(simulator.events({ notificationId: id }).map((e) => e.status)).toEqual([
        'delivered',
        'delivered',
        'delivered',
      ]);
      const record = await waitForRecord(herald(p).url, id, settled('delivered'));
      expect(record.events).toHaveLength(1);
      expect((await count(p, 'duplicate')) - before).toBe(2);
    });
  });

  describe('when Twilio reports on an SMS', () => {
    it('a normal send ends delivered after sent', async () => {
      const id = await sendSms('+14155550100');
      const record = await waitForRecord(herald('twilio').url, id, settled('delivered'));
      expect(record.events!.map((e) => e.type)).toEqual(['sent', 'delivered']);
    });

    it('the undeliverable number ends undelivered with its error code', async () => {
      const id = await sendSms('+14155550130');
      const record = await waitForRecord(herald('twilio').url, id, settled('undelivered'));
      expect(record.events!.at(-1)).toMatchObject({ type: 'undelivered', detail: 'error 30003' });
    });

    it('applies the same callback posted three times once', async () => {
      simulator.setWebhook('twilio', { repeat: 3 });
      try {
        const id = await sendSms('+14155550100');
        await eventsDone(id, 6);
        expect(
          simulator.events({ notificationId: id }).every((e) => e.status === 'delivered'),
        ).toBe(true);
        const record = await waitForRecord(herald('twilio').url, id, settled('delivered'));
        expect(record.events!.map((e) => e.type)).toEqual(['sent', 'delivered']);
      } finally {
        simulator.setWebhook('twilio', {});
      }
    });
  });

  describe('when a request is not signed by the provider', () => {
    /** A real signed request of the simulator for a fresh delivered notification, not yet sent to Herald. */
    async function capture(p: Provider) {
      if (p !== 'twilio') simulator.setWebhook(p, { url: 'http://127.0.0.1:9/nowhere' });
      const id =
        p === 'twilio' ? await sendSms('+14155550133') : await sendEmail(p, 'ada@example.com');
      await until(
        () => simulator.events({ notificationId: id }).some((e) => e.request),
        10_000,
        'a signed event built',
      );
      if (p === 'twilio') await eventsDone(id, 1);
      const event = simulator.events({ notificationId: id }).find((e) => e.request)!;
      const record = await waitForRecord(herald(p).url, id, () => true);
      return { id, request: event.request!, url: event.url, record };
    }

    async function post(p: Provider, headers: Record<string, string>, body: string, path = '') {
      return fetch(`${herald(p).url}/v1/provider-events/${p}${path}`, {
        method: 'POST',
        headers,
        body,
      });
    }

    async function expectRefused(
      p: Provider,
      id: string,
      headers: Record<string, string>,
      body: string,
      path = '',
    ) {
      const before = await count(p, 'refused');
      const res = await post(p, headers, body, path);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'unauthorized' });
      expect((await count(p, 'refused')) - before).toBe(1);
      const record = await waitForRecord(herald(p).url, id, () => true);
      expect(record.events).toBeUndefined();
    }

    const without = (headers: Readonly<Record<string, string>>, ...names: string[]) =>
      Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k.toLowerCase())));
    const forwardable = (headers: Readonly<Record<string, string>>) =>
      without(headers, 'content-length', 'host', 'connection');

    afterEach(async () => {
      await hook('sendgrid');
      await hook('mailgun');
    });

    describe('SendGrid', () => {
      const SIG = 'x-twilio-email-event-webhook-signature';
      const TS = 'x-twilio-email-event-webhook-timestamp';
      const sign = (key: string, timestamp: string, body: string) =>
        createSign('sha256')
          .update(timestamp + body)
          .sign(key, 'base64');

      it('refuses a tampered body, a missing signature, another key and a stale timestamp', async () => {
        const { id, request } = await capture('sendgrid');
        const headers = forwardable(request.headers);
        const tampered = request.body.replace('"delivered"', '"bounce"');
        expect(tampered).not.toBe(request.body);
        await expectRefused('sendgrid', id, headers, tampered);
        await expectRefused('sendgrid', id, without(headers, SIG), request.body);
        const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
          type: 'pkcs8',
          format: 'pem',
        }) as string;
        const ts =
          headers[TS] ?? headers[Object.keys(headers).find((k) => k.toLowerCase() === TS)!]!;
        await expectRefused(
          'sendgrid',
          id,
          { ...without(headers, SIG), [SIG]: sign(other, ts, request.body) },
          request.body,
        );
        const stale = String(Math.floor(Date.now() / 1000) - 3600);
        await expectRefused(
          'sendgrid',
          id,
          {
            ...without(headers, SIG, TS),
            [TS]: stale,
            [SIG]: sign(SANDBOX_SENDGRID_WEBHOOK_KEYS.privateKey, stale, request.body),
          },
          request.body,
        );
        // The untouched request is accepted.
        expect((await post('sendgrid', headers, request.body)).status).toBe(200);
        expect((await waitForRecord(herald('sendgrid').url, id, () => true)).status).toBe(
          'delivered',
        );
      });
    });

    describe('Mailgun', () => {
      const signed = (key: string, body: string, timestamp?: string) => {
        const payload = JSON.parse(body) as {
          signature: { timestamp: string; token: string; signature: string };
        };
        const ts = timestamp ?? payload.signature.timestamp;
        const token = randomBytes(25).toString('hex');
        payload.signature = {
          timestamp: ts,
          token,
          signature: createHmac('sha256', key)
            .update(ts + token)
            .digest('hex'),
        };
        return JSON.stringify(payload);
      };

      it('refuses a tampered body, a missing signature, another key, a stale timestamp and a replayed token', async () => {
        const { id, request } = await capture('mailgun');
        const headers = forwardable(request.headers);
        const key = simulator.webhooks().mailgun.signingKey!;
        const withoutSignature = JSON.parse(request.body) as Record<string, unknown>;
        delete withoutSignature.signature;
        await expectRefused('mailgun', id, headers, JSON.stringify(withoutSignature));
        await expectRefused('mailgun', id, headers, signed('another-key', request.body));
        const stale = String(Math.floor(Date.now() / 1000) - 3600);
        await expectRefused('mailgun', id, headers, signed(key, request.body, stale));
        const tampered = JSON.parse(request.body) as { signature: { signature: string } };
        tampered.signature.signature = createHmac('sha256', key).update('x').digest('hex');
        await expectRefused('mailgun', id, headers, JSON.stringify(tampered));

        expect((await post('mailgun', headers, request.body)).status).toBe(200);
        // The same token with another body is a replay.
        const replay = request.body.replace('"delivered"', '"complained"');
        expect(replay).not.toBe(request.body);
        const before = await count('mailgun', 'refused');
        expect((await post('mailgun', headers, replay)).status).toBe(401);
        expect((await count('mailgun', 'refused')) - before).toBe(1);
        const record = await waitForRecord(herald('mailgun').url, id, () => true);
        expect(record.status).toBe('delivered');
        expect(record.events).toHaveLength(1);
      });
    });

    describe('when a body is over the 1 MiB limit or the provider is unknown', () => {
      it('answers 413 and 404 as problems, processing nothing', async () => {
        const big = await post(
          'sendgrid',
          { 'content-type': 'application/json' },
          'x'.repeat(1024 * 1024 + 1),
        );
        expect(big.status).toBe(413);
        expect(await big.json()).toMatchObject({ code: 'payload_too_large' });
        const res = await fetch(`${herald('sendgrid').url}/v1/provider-events/slack`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        });
        expect(res.status).toBe(404);
        expect(await res.json()).toMatchObject({ code: 'not_found' });
      });
    });

    describe('when a genuine event names a message Herald never sent', () => {
      it('acknowledges it and counts it unknown', async () => {
        const key = simulator.webhooks().mailgun.signingKey!;
        const timestamp = String(Math.floor(Date.now() / 1000));
        const token = randomBytes(25).toString('hex');
        const body = JSON.stringify({
          signature: {
            timestamp,
            token,
            signature: createHmac('sha256', key)
              .update(timestamp + token)
              .digest('hex'),
          },
          'event-data': {
            id: randomBytes(8).toString('hex'),
            event: 'delivered',
            timestamp: Date.now() / 1000,
            message: { headers: { 'message-id': 'never-sent@sandbox.herald.test' } },
          },
        });
        const before = await count('mailgun', 'unknown');
        const res = await post('mailgun', { 'content-type': 'application/json' }, body);
        expect(res.status).toBe(200);
        expect((await count('mailgun', 'unknown')) - before).toBe(1);
      });
    });

    describe('Twilio', () => {
      it('refuses a tampered body, a missing signature and another auth token', async () => {
        const { id, request, url } = await capture('twilio');
        const path = url.slice(
          url.indexOf('/v1/provider-events/twilio') + '/v1/provider-events/twilio'.length,
        );
        // The simulator posted this one already: take the record back to no events by using
        // a fresh, unposted form of it.
        const params = Object.fromEntries(new URLSearchParams(request.body));
        const headers = forwardable(request.headers);
        const tampered = new URLSearchParams({
          ...params,
          MessageStatus: 'undelivered',
        }).toString();
        const record = await waitForRecord(herald('twilio').url, id, settled('sent'));
        const eventsBefore = record.events?.length ?? 0;
        const refused = async (h: Record<string, string>, body: string) => {
          const before = await count('twilio', 'refused');
          expect((await post('twilio', h, body, path)).status).toBe(401);
          expect((await count('twilio', 'refused')) - before).toBe(1);
        };
        await refused(headers, tampered);
        await refused(without(headers, 'x-twilio-signature'), request.body);
        const otherSignature = twilio.getExpectedTwilioSignature('another-token', url, params);
        await refused(
          { ...without(headers, 'x-twilio-signature'), 'x-twilio-signature': otherSignature },
          request.body,
        );
        const after = await waitForRecord(herald('twilio').url, id, () => true);
        expect(after.status).toBe('sent');
        expect(after.events?.length ?? 0).toBe(eventsBefore);
      });
    });

    describe('SES through SNS', () => {
      /** A real signed Notification Herald has applied already. */
      async function applied() {
        await hook('ses');
        const id = await sendEmail('ses', 'ada@example.com');
        await waitForRecord(herald('ses').url, id, settled('delivered'));
        const event = simulator.events({ notificationId: id, provider: 'ses' })[0]!;
        return {
          id,
          headers: forwardable(event.request!.headers),
          message: JSON.parse(event.request!.body) as Record<string, string>,
        };
      }
      async function refusedSes(id: string, headers: Record<string, string>, body: unknown) {
        const before = await count('ses', 'refused');
        const res = await post('ses', headers, JSON.stringify(body));
        expect(res.status).toBe(401);
        expect((await count('ses', 'refused')) - before).toBe(1);
        const record = await waitForRecord(herald('ses').url, id, () => true);
        expect(record.events).toHaveLength(1);
      }

      it('refuses a tampered message, another topic and a missing signature', async () => {
        const { id, headers, message } = await applied();
        const tampered = { ...message, MessageId: randomBytes(8).toString('hex') };
        await refusedSes(id, headers, tampered);
        await refusedSes(id, headers, {
          ...message,
          TopicArn: 'arn:aws:sns:us-east-1:000000000000:other',
        });
        const unsigned: Record<string, string> = { ...message };
        delete unsigned.Signature;
        await refusedSes(id, headers, unsigned);
        // The genuine message again is a repeat: acknowledged, applied once.
        expect((await post('ses', headers, JSON.stringify(message))).status).toBe(200);
        expect((await waitForRecord(herald('ses').url, id, () => true)).events).toHaveLength(1);
      });

      it('refuses a certificate URL on a foreign host without fetching it', async () => {
        const { id, headers, message } = await applied();
        let fetched = 0;
        const foreign = createServer((_req, res) => {
          fetched += 1;
          res.end('not a certificate');
        });
        await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
        try {
          const { port } = foreign.address() as AddressInfo;
          const path = new URL(message.SigningCertURL!).pathname;
          // Same path, another origin (localhost is not the allowed 127.0.0.1:<port>).
          await refusedSes(id, headers, {
            ...message,
            MessageId: randomBytes(8).toString('hex'),
            SigningCertURL: `http://localhost:${port}${path}`,
          });
          await refusedSes(id, headers, {
            ...message,
            MessageId: randomBytes(8).toString('hex'),
            SigningCertURL: `http://127.0.0.1:${port}${path}`,
          });
          expect(fetched).toBe(0);
        } finally {
          await new Promise((resolve) => foreign.close(resolve));
        }
      });
    });
  });
});
