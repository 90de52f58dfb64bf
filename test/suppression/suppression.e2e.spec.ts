import twilio from 'twilio';
import type { NotificationRecord } from '../../src/contracts/notification-record';
import { SEND_JOB } from '../../src/queue/queue.constants';
import { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import {
  EVENT_EMAIL_RECIPIENTS,
  TWILIO_MAGIC_NUMBERS,
} from '../../src/sandbox/sandbox-conventions';
import { SuppressionList } from '../../src/suppression/suppression-list';
import {
  type Producer,
  startWithSignedEvents,
  emailTo,
  isFinal,
  metricValue,
  openProducer,
} from '../delivery/delivery-fixture';
import type { RunningHerald } from '../support/herald';

const SHOP_KEY = 'shop-key-0123456789abcdef';
const ADMIN_KEY = 'ops-key-fedcba9876543210';

type Answer = { status: number; body: Record<string, unknown> };

describe(SuppressionList.name, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  let producer: Producer;

  beforeAll(async () => {
    ({ simulator, herald } = await startWithSignedEvents({
      HERALD_EMAIL_PROVIDERS: 'sendgrid',
      HERALD_AUTH: 'api-key',
      HERALD_API_KEYS: `shop:${SHOP_KEY},ops+admin:${ADMIN_KEY}`,
    }));
    simulator.setWebhook('sendgrid', { url: `${herald.url}/v1/provider-events/sendgrid` });
    producer = await openProducer(herald);
  });
  afterAll(async () => {
    await producer?.close();
    await herald?.close();
    await simulator?.stop();
  });

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    key = SHOP_KEY,
  ): Promise<Answer> => {
    const res = await fetch(`${herald.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const send = (message: unknown) => call('POST', '/v1/notifications', message);
  const sent = async (message: unknown) => {
    const answer = await send(message);
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    return answer.body as { id: string; suppressed?: string[] };
  };
  const check = (channel: string, recipient: string, key = ADMIN_KEY) =>
    call('GET', `/v1/suppressions?${new URLSearchParams({ channel, recipient })}`, undefined, key);
  const record = async (id: string) =>
    (await call('GET', `/v1/notifications/${id}`)).body as unknown as NotificationRecord;
  const until = async (id: string, done: (r: NotificationRecord) => boolean) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await record(id);
      if (done(r)) return r;
      if (Date.now() > deadline) throw new Error(`record ${id} stuck: ${JSON.stringify(r)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const status = (s: NotificationRecord['status']) => (r: NotificationRecord) => r.status === s;
  const metric = (name: string, labels: Record<string, string>) =>
    metricValue(herald.app, name, labels);

  describe('when a send to the sandbox bounce address bounces', () => {
    it('ends bounced, suppresses the address and refuses the next send without a provider call', async () => {
      const { id } = await sent(emailTo(EVENT_EMAIL_RECIPIENTS.bounce));
      const bounced = await until(id, status('bounced'));
      expect(bounced.events!.map((e) => e.type)).toEqual(['bounced']);

      const entry = await check('email', EVENT_EMAIL_RECIPIENTS.bounce);
      expect(entry).toEqual({
        status: 200,
        body: {
          channel: 'email',
          recipient: 'b***@simulator.herald.test',
          suppressed: true,
          reason: 'hard_bounce',
          provider: 'sendgrid',
          at: expect.any(String),
        },
      });
      expect(
        await metric('herald_suppressions_added_total', {
          channel: 'email',
          reason: 'hard_bounce',
        }),
      ).toBe(1);

      const calls = simulator.requests('sendgrid');
      // Matched however the caller spells it.
      const refused = await send(emailTo(` Bounce@Simulator.Herald.Test`.trim()));
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({
        code: 'recipient_suppressed',
        errors: [{ field: 'to', message: 'is on the suppression list' }],
      });
      expect(
        await metric('herald_intake_suppressed_total', { channel: 'email', outcome: 'refused' }),
      ).toBe(1);
      // A clean send after it reaches the provider: had the refused one been queued, it would
      // have been called first.
      const { id: clean } = await sent(emailTo('ada@example.com'));
      await until(clean, isFinal);
      expect(simulator.requests('sendgrid')).toBe(calls + 1);
    });
  });

  describe('when a delivered e-mail draws a complaint', () => {
    it('records the complaint after delivery and suppresses the address', async () => {
      const { id } = await sent(emailTo(EVENT_EMAIL_RECIPIENTS.complaint));
      const complained = await until(id, status('complained'));
      expect(complained.events!.map((e) => e.type)).toEqual(['delivered', 'complained']);
      expect((await check('email', EVENT_EMAIL_RECIPIENTS.complaint)).body).toMatchObject({
        suppressed: true,
        reason: 'complaint',
        provider: 'sendgrid',
      });
    });
  });

  describe('when a delivery is only deferred', () => {
    it('ends delivered and suppresses nothing', async () => {
      const { id } = await sent(emailTo(EVENT_EMAIL_RECIPIENTS.deferred));
      const delivered = await until(id, status('delivered'));
      expect(delivered.events!.map((e) => e.type)).toEqual(['deferred', 'delivered']);
      expect((await check('email', EVENT_EMAIL_RECIPIENTS.deferred)).body).toMatchObject({
        suppressed: false,
      });
    });
  });

  describe('when an e-mail names suppressed and clean addresses', () => {
    it('sends to the clean ones and reports the dropped ones masked', async () => {
      expect(
        (
          await call(
            'PUT',
            '/v1/suppressions',
            { channel: 'email', recipient: 'gone@example.com' },
            ADMIN_KEY,
          )
        ).status,
      ).toBe(201);
      const before = await metric('herald_intake_suppressed_total', {
        channel: 'email',
        outcome: 'dropped',
      });
      const accepted = await sent(
        emailTo('grace@example.com', { cc: ['GONE@example.com'], bcc: ['ada@example.com'] }),
      );
      expect(accepted.suppressed).toEqual(['g***@example.com']);
      const done = await until(accepted.id, isFinal);
      expect(done.suppressed).toEqual(['g***@example.com']);
      expect(done.to).toBe('g***@example.com (+1)');
      const [captured] = simulator.messages({ notificationId: accepted.id });
      expect(captured).toMatchObject({ to: ['grace@example.com'], bcc: ['ada@example.com'] });
      expect(captured!.cc ?? []).toEqual([]);
      expect(
        (await metric('herald_intake_suppressed_total', { channel: 'email', outcome: 'dropped' })) -
          before,
      ).toBe(1);
    });

    it('refuses it when no to address remains', async () => {
      const refused = await send(emailTo('gone@example.com', { cc: ['grace@example.com'] }));
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({
        code: 'recipient_suppressed',
        errors: [{ field: 'to' }],
      });
    });

    it('drops the suppressed one from a queued send job too, sending it once', async () => {
      const job = await producer.queue.add(
        SEND_JOB,
        emailTo('ada@example.com', { cc: ['gone@example.com'] }),
        { attempts: 1 },
      );
      const result = (await job.waitUntilFinished(producer.events, 10_000)) as {
        id: string;
        status: string;
      };
      expect(result.status).toBe('sent');
      // A queue producer's notification, read with the admin key (the shop's key sees its own).
      const done = (await call('GET', `/v1/notifications/${result.id}`, undefined, ADMIN_KEY))
        .body as unknown as NotificationRecord;
      expect(done.suppressed).toEqual(['g***@example.com']);
      const captured = simulator.messages({ notificationId: result.id });
      expect(captured).toHaveLength(1);
      expect(captured[0]).toMatchObject({ to: ['ada@example.com'] });
      expect(captured[0]!.cc ?? []).toEqual([]);
    });
  });

  describe('when Twilio refuses a number that replied STOP (21610)', () => {
    it('suppresses it, refuses the next SMS and fails a queue job to it with that reason', async () => {
      const to = TWILIO_MAGIC_NUMBERS.unsubscribed;
      const { id } = await sent({ channel: 'sms', to, text: 'Your code is 1234' });
      const failed = await until(id, status('failed'));
      expect(failed.failure?.errorClass).toBe('rejected');
      expect((await check('sms', to)).body).toMatchObject({
        recipient: '+15*******04',
        suppressed: true,
        reason: 'unsubscribe',
        provider: 'twilio',
      });

      const calls = simulator.requests('twilio');
      const refused = await send({ channel: 'sms', to, text: 'Your code is 5678' });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({
        code: 'recipient_suppressed',
        errors: [{ field: 'to' }],
      });

      const job = await producer.queue.add(
        SEND_JOB,
        { channel: 'sms', to, text: 'Your code is 9012' },
        { attempts: 5 },
      );
      await expect(job.waitUntilFinished(producer.events, 10_000)).rejects.toThrow(
        /suppression list/,
      );
      expect((await producer.queue.getJob(job.id!))?.attemptsMade).toBe(1);
      expect(simulator.requests('twilio')).toBe(calls);
    });
  });

  describe('when a Twilio status callback carries ErrorCode 21610', () => {
    it('suppresses the number once, however often the callback comes', async () => {
      const to = '+14155550177';
      const { id } = await sent({ channel: 'sms', to, text: 'Your code is 1234' });
      const { providerMessageId } = await until(id, (r) => r.providerMessageId !== undefined);
      const params = {
        MessageSid: providerMessageId!,
        MessageStatus: 'undelivered',
        ErrorCode: '21610',
        To: to,
        AccountSid: 'AC00000000000000000000000000000000',
      };
      const path = '/v1/provider-events/twilio';
      const signature = twilio.getExpectedTwilioSignature(
        herald.config.providers.twilio.authToken!,
        `${herald.config.providerEvents.publicUrl}${path}`,
        params,
      );
      const before = await metric('herald_suppressions_added_total', {
        channel: 'sms',
        reason: 'unsubscribe',
      });
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${herald.url}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': signature,
            'i-twilio-idempotency-token': `${providerMessageId}-stop`,
          },
          body: new URLSearchParams(params).toString(),
        });
        expect(res.status).toBe(200);
      }
      expect((await check('sms', to)).body).toMatchObject({
        suppressed: true,
        reason: 'unsubscribe',
        provider: 'twilio',
      });
      expect(
        (await metric('herald_suppressions_added_total', {
          channel: 'sms',
          reason: 'unsubscribe',
        })) - before,
      ).toBe(1);
      const r = await record(id);
      expect(r.events!.filter((e) => e.detail === 'error 21610')).toHaveLength(1);
    });
  });

  describe('the admin API', () => {
    it('adds, checks and removes a chat channel, and intake follows it', async () => {
      const channel = { channel: 'chat', recipient: 'C0SUPPRESS1' };
      expect((await call('PUT', '/v1/suppressions', channel, ADMIN_KEY)).status).toBe(201);
      const again = await call('PUT', '/v1/suppressions', channel, ADMIN_KEY);
      expect(again).toMatchObject({ status: 200, body: { suppressed: true, reason: 'manual' } });
      expect(again.body.provider).toBeUndefined();

      const refused = await send({ channel: 'chat', to: 'C0SUPPRESS1', text: 'Deploy done' });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'recipient_suppressed' });

      const query = new URLSearchParams(channel).toString();
      const removed = await call('DELETE', `/v1/suppressions?${query}`, undefined, ADMIN_KEY);
      expect(removed).toMatchObject({ status: 200, body: { suppressed: false, removed: true } });
      const twice = await call('DELETE', `/v1/suppressions?${query}`, undefined, ADMIN_KEY);
      expect(twice.body).toMatchObject({ removed: false });
      expect((await check('chat', 'C0SUPPRESS1')).body).toMatchObject({ suppressed: false });
      await sent({ channel: 'chat', to: 'C0SUPPRESS1', text: 'Deploy done' });
    });

    it('still replays a keyed request accepted before its recipient was suppressed, and refuses a new key', async () => {
      const message = { channel: 'chat', to: 'C0SUPPRESS2', text: 'Deploy done' };
      const keyed = (key: string) =>
        fetch(`${herald.url}/v1/notifications`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${SHOP_KEY}`,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify(message),
        }).then(async (res) => ({
          status: res.status,
          body: (await res.json()) as Answer['body'],
        }));
      const first = await keyed('deploy-42');
      expect(first.status).toBe(202);
      const entry = { channel: 'chat', recipient: 'C0SUPPRESS2' };
      expect((await call('PUT', '/v1/suppressions', entry, ADMIN_KEY)).status).toBe(201);

      const replay = await keyed('deploy-42');
      expect(replay).toMatchObject({ status: 202, body: { id: first.body.id } });
      const fresh = await keyed('deploy-43');
      expect(fresh).toMatchObject({ status: 422, body: { code: 'recipient_suppressed' } });
      // The refused key was freed, not left claimed: once the entry goes, it is accepted.
      const query = new URLSearchParams(entry).toString();
      await call('DELETE', `/v1/suppressions?${query}`, undefined, ADMIN_KEY);
      expect((await keyed('deploy-43')).status).toBe(202);
    });

    it('answers 403 to a key without the admin scope', async () => {
      const query = new URLSearchParams({ channel: 'email', recipient: 'ada@example.com' });
      for (const [method, path, body] of [
        ['GET', `/v1/suppressions?${query}`],
        ['PUT', '/v1/suppressions', { channel: 'email', recipient: 'ada@example.com' }],
        ['DELETE', `/v1/suppressions?${query}`],
      ] as const) {
        const answer = await call(method, path, body, SHOP_KEY);
        expect(answer, `${method} ${path}`).toMatchObject({
          status: 403,
          body: { code: 'forbidden' },
        });
      }
      expect((await check('email', 'ada@example.com')).body).toMatchObject({ suppressed: false });
    });

    it('names the field a bad request gets wrong', async () => {
      const bad = await call(
        'PUT',
        '/v1/suppressions',
        { channel: 'sms', recipient: '0155 5501', reason: 'bored' },
        ADMIN_KEY,
      );
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: 'validation_failed' });
      expect((bad.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
        'reason',
      ]);
      const wrong = await check('pigeon', 'ada@example.com');
      expect(wrong.status).toBe(400);
      expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'channel' })]);
      const notAnAddress = await check('email', 'ada');
      expect(notAnAddress.body.errors).toEqual([
        { field: 'recipient', message: 'must be an e-mail address for channel email' },
      ]);
    });
  });
});
