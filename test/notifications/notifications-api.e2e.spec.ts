import { createHash } from 'node:crypto';
import { NotificationLifecycle } from '../../src/notifications/notification-lifecycle';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';
import {
  CHAT,
  EMAIL,
  SMS,
  countJobs,
  expectProblem,
  openQueue,
  type ProducerQueues,
  post,
  request,
} from './notification-requests';

const UNKNOWN_ID = '0b7c6f4e-52a4-4f43-9d4b-1f3c2f1a9e77';

describe('the notifications API', () => {
  let herald: RunningHerald;
  let queue: ProducerQueues;
  let send: (body: unknown, headers?: Record<string, string>) => ReturnType<typeof post>;

  beforeAll(async () => {
    herald = await startReadyHerald(
      testEnv({
        HERALD_ROLE: 'api',
        HERALD_BODY_LIMIT_BYTES: '4096',
        HERALD_MAX_RECIPIENTS: '3',
        HERALD_MAX_SUBJECT_CHARS: '40',
        HERALD_EMAIL_PROVIDERS: 'sendgrid,mailgun',
      }),
    );
    queue = openQueue(herald.config);
    send = (body, headers) => post(`${herald.url}/v1/notifications`, body, headers);
  });
  afterAll(async () => {
    await queue.close();
    await herald.close();
  });

  describe('POST /v1/notifications', () => {
    describe('with a valid message', () => {
      it.each([
        ['email', EMAIL],
        ['sms', SMS],
        ['chat', CHAT],
      ])('accepts %s with 202, its id, status queued and a Location', async (channel, message) => {
        const answer = await send(message);
        expect(answer.status).toBe(202);
        expect(answer.body).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          status: 'queued',
          channel,
          createdAt: expect.any(String),
        });
        expect(answer.headers.get('location')).toBe(`/v1/notifications/${answer.body.id}`);
        expect(answer.headers.get('idempotent-replayed')).toBeNull();
      });

      it('queues one deliver job whose id is the notification id', async () => {
        const { body } = await send(SMS);
        const job = await queue.forId(body.id as string).getJob(body.id as string);
        expect(job?.name).toBe('deliver');
        expect(job?.data).toEqual({ notificationId: body.id });
      });

      it('accepts a content type with a charset', async () => {
        const answer = await send(JSON.stringify(SMS), {
          'content-type': 'application/json; charset=utf-8',
        });
        expect(answer.status).toBe(202);
      });
    });

    describe('when the message breaks the schema', () => {
      it('answers 400 validation_failed naming every bad field at once', async () => {
        const answer = await send({
          channel: 'email',
          to: ['ada@example.com', 'not-an-address'],
          cc: ['b@example.com'],
          subject: 'x'.repeat(41),
          text: '',
          replyTo: 'nobody',
          colour: 'blue',
        });
        expectProblem(answer, 400, 'validation_failed');
        expect(answer.body.errors).toEqual([
          { field: 'to.1', message: 'must be an e-mail address' },
          { field: 'subject', message: 'must be at most 40 characters' },
          { field: 'text', message: 'must not be empty' },
          { field: 'replyTo', message: 'must be an e-mail address' },
          { field: 'colour', message: 'is not a known field' },
        ]);
        expect(answer.body.detail).toBe('Invalid fields: to.1, subject, text, replyTo, colour.');
      });

      it('refuses more recipients than HERALD_MAX_RECIPIENTS, in one list or in all', async () => {
        const many = await send({ ...EMAIL, to: ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io'] });
        expectProblem(many, 400, 'validation_failed');
        expect(many.body.errors).toEqual([{ field: 'to', message: 'at most 3 addresses' }]);

        const spread = await send({ ...EMAIL, to: ['a@x.io', 'b@x.io'], cc: ['c@x.io', 'd@x.io'] });
        expectProblem(spread, 400, 'validation_failed');
        expect(spread.body.errors).toEqual([
          { field: 'to', message: 'to, cc and bcc together hold 4 addresses; at most 3' },
        ]);
      });

      it.each([
        ['an SMS number that is not E.164', { ...SMS, to: '0415 555 0100' }, 'to'],
        ['an empty SMS text', { ...SMS, text: '' }, 'text'],
        ['a chat without text or blocks', { channel: 'chat', to: 'C0123456789' }, 'text'],
        ['a bad chat channel id', { ...CHAT, to: '#general' }, 'to'],
        ['an unknown channel', { channel: 'fax', to: '+14155550100', text: 'x' }, 'channel'],
        ['a two-line subject', { ...EMAIL, subject: 'a\nb' }, 'subject'],
        ['an idempotencyKey in the body', { ...SMS, idempotencyKey: 'k' }, 'idempotencyKey'],
      ])('refuses %s, naming %s', async (_, message, field) => {
        const answer = await send(message);
        expectProblem(answer, 400, 'validation_failed');
        expect(answer.body.errors).toContainEqual({ field, message: expect.any(String) });
      });

      it('counts an SMS text in UTF-16 units as Twilio does: 801 emoji are too many', async () => {
        const answer = await send({ ...SMS, text: '😀'.repeat(801) });
        expectProblem(answer, 400, 'validation_failed');
        expect(answer.body.errors).toEqual([
          {
            field: 'text',
            message: 'must be at most 1600 UTF-16 code units, as Twilio counts (an emoji is 2)',
          },
        ]);
        expect((await send({ ...SMS, text: `${'😀'.repeat(799)}xx` })).status).toBe(202);
      });

      it('refuses a body that is not an object', async () => {
        const answer = await send('[1,2]');
        expectProblem(answer, 400, 'validation_failed');
        expect(answer.body.errors).toEqual([{ field: '(body)', message: 'must be a JSON object' }]);
      });

      it('refuses providers outside the configured order, naming providers', async () => {
        const answer = await send({ ...EMAIL, providers: ['ses'] });
        expectProblem(answer, 400, 'validation_failed');
        expect(answer.body.errors).toEqual([
          { field: 'providers', message: 'ses is not configured; configured: sendgrid, mailgun' },
        ]);
      });
    });

    describe('when the body is not JSON', () => {
      it('answers 400 malformed_json naming the line and column', async () => {
        const answer = await send('{\n  "channel": "sms",\n  "to": +1415\n}');
        expectProblem(answer, 400, 'malformed_json');
        expect(answer.body.detail).toMatch(/at line 3, column 9/);
      });

      it('answers 400 malformed_json for an empty body', async () => {
        expectProblem(await send(''), 400, 'malformed_json');
      });
    });

    describe('when the body holds a __proto__ or constructor key', () => {
      const sms = JSON.stringify(SMS).slice(0, -1);

      it.each([
        ['a top-level __proto__', `${sms},"__proto__":{"admin":true}}`, '__proto__'],
        [
          'a top-level constructor',
          `${sms},"constructor":{"prototype":{"admin":true}}}`,
          'constructor',
        ],
        ['a __proto__ metadata key', `${sms},"metadata":{"__proto__":"x"}}`, 'metadata.__proto__'],
      ])('parses the valid JSON and names %s as a bad field', async (_, body, field) => {
        const answer = await send(body);
        expectProblem(answer, 400, 'validation_failed');
        expect(answer.body.errors).toContainEqual({ field, message: expect.any(String) });
        expect(({} as Record<string, unknown>).admin).toBeUndefined();
      });
    });

    describe('when the body is not application/json', () => {
      it.each([['text/plain'], ['application/xml'], ['application/x-www-form-urlencoded']])(
        'answers 415 unsupported_media_type for %s',
        async (type) => {
          expectProblem(
            await send('channel=sms', { 'content-type': type }),
            415,
            'unsupported_media_type',
          );
        },
      );

      it('answers 415 when there is no body and no content type', async () => {
        const answer = await request(`${herald.url}/v1/notifications`, { method: 'POST' });
        expectProblem(answer, 415, 'unsupported_media_type');
      });
    });

    describe('when the body is larger than HERALD_BODY_LIMIT_BYTES', () => {
      it('answers 413 payload_too_large', async () => {
        const answer = await send({ ...SMS, text: 'x'.repeat(5000) });
        expectProblem(answer, 413, 'payload_too_large');
      });
    });

    describe('when the Idempotency-Key is invalid', () => {
      it.each([
        ['longer than 255 characters', 'k'.repeat(256)],
        ['empty', ''],
        ['non-ASCII', 'clé'],
        ['holding a tab', 'a\tb'],
      ])('answers 400 invalid_idempotency_key when it is %s', async (_, key) => {
        const answer = await send(SMS, { 'idempotency-key': key });
        expectProblem(answer, 400, 'invalid_idempotency_key');
        expect(answer.body.errors).toEqual([
          { field: 'Idempotency-Key', message: expect.any(String) },
        ]);
      });

      it('accepts one of exactly 255 printable characters', async () => {
        const answer = await send(SMS, { 'idempotency-key': `${'k'.repeat(254)}~` });
        expect(answer.status).toBe(202);
      });
    });
  });

  describe('GET /v1/notifications/:id', () => {
    it('answers the record with a masked recipient and never the message', async () => {
      const { body } = await send(EMAIL);
      const answer = await request(`${herald.url}/v1/notifications/${body.id}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        id: body.id,
        caller: 'anonymous',
        channel: 'email',
        to: 'a***@example.com',
        status: 'queued',
        attempts: [],
        rounds: 0,
        metadata: { orderId: '123' },
        createdAt: body.createdAt,
        updatedAt: body.createdAt,
        // testEnv runs in sandbox mode, and every record says so.
        sandbox: true,
      });
      expect(JSON.stringify(answer.body)).not.toContain('ships today');
    });

    it.each([
      ['an unknown id', UNKNOWN_ID],
      ['an id that is not a notification id', 'not-an-id'],
    ])('answers 404 not_found for %s', async (_, id) => {
      expectProblem(await request(`${herald.url}/v1/notifications/${id}`), 404, 'not_found');
    });

    it('answers 404 once the record has expired', async () => {
      const { body } = await send(SMS);
      await herald.app.get(NotificationRecordsRepository).remove(body.id as string);
      expectProblem(await request(`${herald.url}/v1/notifications/${body.id}`), 404, 'not_found');
    });
  });

  describe('POST /v1/notifications/:id/retry', () => {
    const retry = (id: string) =>
      request(`${herald.url}/v1/notifications/${id}/retry`, { method: 'POST' });

    it('re-drives a failed notification: 202, queued again, a new deliver job', async () => {
      const { body } = await send(SMS);
      const id = body.id as string;
      // Failed as a job that died would leave it (this API process runs no worker); no lock
      // key: the record's stands in, so on a cluster the script touches the record's slot only.
      await herald.app.get(NotificationLifecycle).failOrphan(id, '', {
        errorClass: 'exhausted',
        detail: 'every provider failed',
      });
      const jobsBefore = await countJobs(queue);

      const answer = await retry(id);
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ id, status: 'queued' });
      const record = await request(`${herald.url}/v1/notifications/${id}`);
      expect(record.body).toMatchObject({
        status: 'queued',
        rounds: 0,
        redrives: [{ at: expect.any(String), afterRound: 0 }],
      });
      expect(record.body.failure).toBeUndefined();
      expect(await countJobs(queue)).toBe(jobsBefore + 1);
      const jobs = await queue.forId(id).getJobs(['wait']);
      expect(jobs.filter((j) => j.data.notificationId === id).map((j) => j.id)).toEqual(
        expect.arrayContaining([id, expect.stringMatching(new RegExp(`^${id}-r\\d+$`))]),
      );
    });

    it('answers 409 notification_not_retryable when it has not failed', async () => {
      const { body } = await send(SMS);
      expectProblem(await retry(body.id as string), 409, 'notification_not_retryable');
    });

    it('answers 404 not_found for an unknown id', async () => {
      expectProblem(await retry(UNKNOWN_ID), 404, 'not_found');
    });
  });

  describe('GET /v1/schema/notification.json', () => {
    it('serves the JSON Schema with this process’s limits', async () => {
      const answer = await request(`${herald.url}/v1/schema/notification.json`);
      expect(answer.status).toBe(200);
      expect(answer.contentType).toMatch(/^application\/schema\+json/);
      expect(answer.body).toMatchObject({
        $id: 'urn:herald:schema:notification-job:v1',
        oneOf: expect.arrayContaining([
          expect.objectContaining({
            properties: expect.objectContaining({
              to: expect.objectContaining({ maxItems: 3 }),
              subject: expect.objectContaining({ maxLength: 40 }),
            }),
          }),
        ]),
      });
    });
  });
});

describe('the notifications API with API keys', () => {
  const aliceKey = 'alice-key-0123456789abcdef';
  const bobKey = 'bob-key-0123456789abcdef';
  let herald: RunningHerald;

  beforeAll(async () => {
    const bobDigest = createHash('sha256').update(bobKey).digest('hex');
    herald = await startReadyHerald(
      testEnv({
        HERALD_ROLE: 'api',
        HERALD_AUTH: undefined,
        HERALD_API_KEYS: `alice:${aliceKey},bob:sha256:${bobDigest}`,
      }),
    );
  });
  afterAll(() => herald.close());

  const send = (headers: Record<string, string>) =>
    post(`${herald.url}/v1/notifications`, SMS, headers);

  it.each([
    ['no Authorization header', {}],
    ['a wrong key', { authorization: 'Bearer not-a-key-of-anyone-here' }],
    ['another scheme', { authorization: `Basic ${aliceKey}` }],
    ['a bare key', { authorization: aliceKey }],
  ])('answers 401 unauthorized with %s', async (_, headers) => {
    const answer = await send(headers);
    expectProblem(answer, 401, 'unauthorized');
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('answers 401 on reads too', async () => {
    expectProblem(
      await request(`${herald.url}/v1/notifications/${UNKNOWN_ID}`),
      401,
      'unauthorized',
    );
  });

  it('stores the caller named by a plain key', async () => {
    const { status, body } = await send({ authorization: `Bearer ${aliceKey}` });
    expect(status).toBe(202);
    const record = await request(`${herald.url}/v1/notifications/${body.id}`, {
      headers: { authorization: `Bearer ${aliceKey}` },
    });
    expect(record.body.caller).toBe('alice');
  });

  it('stores the caller named by a hashed key', async () => {
    const { body } = await send({ authorization: `bearer ${bobKey}` });
    const record = await request(`${herald.url}/v1/notifications/${body.id}`, {
      headers: { authorization: `Bearer ${bobKey}` },
    });
    expect(record.body.caller).toBe('bob');
  });

  it('serves the JSON Schema without a key', async () => {
    expect((await request(`${herald.url}/v1/schema/notification.json`)).status).toBe(200);
  });
});

describe('the notifications API when a channel has no provider', () => {
  let herald: RunningHerald;
  beforeAll(async () => {
    herald = await startReadyHerald(
      testEnv({
        HERALD_ROLE: 'api',
        HERALD_SANDBOX: 'false',
        SENDGRID_API_KEY: 'SG.only-sendgrid-is-configured',
      }),
    );
  });
  afterAll(() => herald.close());

  it('answers 422 channel_not_configured for that channel', async () => {
    const answer = await post(`${herald.url}/v1/notifications`, SMS);
    expectProblem(answer, 422, 'channel_not_configured');
    expect(answer.body.detail).toMatch(/sms/);
  });

  it('requires from when no default sender is configured', async () => {
    const { from: _, ...withoutFrom } = EMAIL;
    const answer = await post(`${herald.url}/v1/notifications`, withoutFrom);
    expectProblem(answer, 400, 'validation_failed');
    expect(answer.body.errors).toEqual([{ field: 'from', message: expect.any(String) }]);
  });

  it('accepts the configured channel', async () => {
    expect((await post(`${herald.url}/v1/notifications`, EMAIL)).status).toBe(202);
  });
});

describe('the notifications API with a per-caller ceiling', () => {
  let herald: RunningHerald;
  beforeAll(async () => {
    herald = await startReadyHerald(
      testEnv({ HERALD_ROLE: 'api', HERALD_CALLER_RATE_PER_SECOND: '2' }),
    );
  });
  afterAll(() => herald.close());

  it('answers 429 caller_throttled with Retry-After over the ceiling', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => post(`${herald.url}/v1/notifications`, SMS)),
    );
    const throttled = answers.filter((a) => a.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(2);
    expectProblem(throttled[0]!, 429, 'caller_throttled');
    expect(Number(throttled[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(answers.filter((a) => a.status === 202).length).toBeGreaterThanOrEqual(2);
  });
});
