import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import twilio from 'twilio';
import type { NotificationRecord } from '../../src/contracts/notification-record';
import { FallbackSteps, stepJobId } from '../../src/fallback/fallback-steps';
import { NotificationAcceptance } from '../../src/notifications/notification-acceptance';
import { NotificationLifecycle } from '../../src/notifications/notification-lifecycle';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { RedisService } from '../../src/redis/redis.service';
import { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import {
  startWithSignedEvents,
  getRecord,
  metricValue,
  openProducer,
  postNotification,
  waitForRecord,
} from '../delivery/delivery-fixture';
import type { RunningHerald } from '../support/herald';
import { until } from '../support/until';

/** Step 1 went out: a provider accepted it, and its events may follow. */
const smsOut = (r: NotificationRecord) =>
  r.step === 1 && r.status !== 'queued' && r.status !== 'sending';

describe(FallbackSteps.name, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  let queue: Queue;

  beforeAll(async () => {
    ({ simulator, herald } = await startWithSignedEvents(
      {
        // Far longer than the 1 s fallbackAfterSeconds of the specs whose SendGrid hangs or is
        // slow, so the step gives way well before SendGrid's answer comes back.
        SENDGRID_DEADLINE_MS: '6000',
        HERALD_BREAKER_ROLLING_WINDOW_MS: '30000',
        // A provider failing for good exhausts a step in two quick rounds.
        HERALD_RETRY_ATTEMPTS: '2',
      },
      {
        retryDelaysMs: [50, 50],
      },
    ));
    queue = new Queue(herald.config.queue.name, {
      connection: herald.app.get(RedisService).connectionOptions(),
      prefix: herald.config.queue.prefix,
    });
  });
  afterAll(async () => {
    await queue?.close();
    await herald?.close();
    await simulator?.stop();
  });
  afterEach(async () => {
    for (const provider of ['sendgrid', 'slack', 'twilio']) {
      await control('PUT', `/_sandbox/providers/${provider}`, { mode: 'ok' });
    }
  });

  /** The simulator's control API, over HTTP as an operator would use it. */
  async function control(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${simulator.url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}`);
    return res.status === 204 ? undefined : res.json();
  }
  /** Messages the simulator accepted for `provider` to `to`. */
  async function accepted(provider: string, to: string): Promise<unknown[]> {
    const query = new URLSearchParams({ provider, to });
    const { messages } = (await control('GET', `/_sandbox/messages?${query}`)) as {
      messages: unknown[];
    };
    return messages;
  }
  const fallbacks = (labels: Record<string, string>) =>
    metricValue(herald.app, 'herald_fallbacks_total', labels);
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${herald.url}/v1/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  describe('when Slack fails for good', () => {
    it('sends the fallback SMS and the record shows both steps', async () => {
      await control('PUT', '/_sandbox/providers/slack', { mode: 'fail' });
      const before = await fallbacks({ from_channel: 'chat', to_channel: 'sms', reason: 'failed' });
      const id = await postNotification(herald.url, {
        channel: 'chat',
        to: 'C0123456789',
        text: 'Database is down',
        fallback: [{ channel: 'sms', to: '+14155550142', text: 'Database is down' }],
      });

      const record = await waitForRecord(herald.url, id, smsOut);
      expect(await accepted('twilio', '+14155550142')).toHaveLength(1);
      expect(record).toMatchObject({ id, channel: 'chat', step: 1, provider: 'twilio' });
      expect(record.status).toMatch(/^(sent|delivered)$/);
      expect(record.route).toEqual([
        expect.objectContaining({
          step: 0,
          channel: 'chat',
          status: 'failed',
          reason: 'failed',
          failure: expect.objectContaining({ errorClass: 'exhausted' }),
          endedAt: expect.any(String),
        }),
        expect.objectContaining({
          step: 1,
          channel: 'sms',
          status: record.status,
          provider: 'twilio',
        }),
      ]);
      expect(record.route![1]!.endedAt).toBeUndefined();
      // Every attempt names its step: Slack's under 0, Twilio's under 1.
      expect(new Set(record.attempts.map((a) => `${a.step}:${a.provider}`))).toEqual(
        new Set(['0:slack', '1:twilio']),
      );
      expect(await fallbacks({ from_channel: 'chat', to_channel: 'sms', reason: 'failed' })).toBe(
        before + 1,
      );
      // The status page shows it among the window's fallbacks.
      const page = await (await fetch(`${herald.url}/status`)).text();
      expect(page).toMatch(/chat → sms<\/td><td>failed<\/td><td class="num">[1-9]/);
    });
  });

  describe('when the e-mail bounces', () => {
    it('sends the SMS after the bounce event, which names its step', async () => {
      await control('PUT', '/_sandbox/webhooks/sendgrid', {
        url: `${herald.url}/v1/provider-events/sendgrid`,
      });
      const id = await postNotification(herald.url, {
        channel: 'email',
        to: ['bounce@simulator.herald.test'],
        subject: 'Your code',
        text: 'It is 1234',
        providers: ['sendgrid'],
        fallback: [{ channel: 'sms', to: '+14155550143', text: 'Your code is 1234' }],
      });

      const record = await waitForRecord(herald.url, id, smsOut);
      expect(await accepted('twilio', '+14155550143')).toHaveLength(1);
      expect(record.route).toEqual([
        expect.objectContaining({
          step: 0,
          channel: 'email',
          status: 'bounced',
          reason: 'bounced',
          provider: 'sendgrid',
          sentAt: expect.any(String),
        }),
        expect.objectContaining({ step: 1, channel: 'sms', provider: 'twilio' }),
      ]);
      expect(record.events).toContainEqual(
        expect.objectContaining({ type: 'bounced', provider: 'sendgrid', step: 0 }),
      );
      // The SMS went out after the e-mail's bounce was recorded, never beside it.
      expect(Date.parse(record.route![1]!.startedAt)).toBeGreaterThanOrEqual(
        Date.parse(record.route![0]!.sentAt!),
      );
    });
  });

  describe('when the e-mail is not sent within fallbackAfterSeconds', () => {
    /**
     * Waits until the e-mail step's job is finished: its provider call came back. A completed
     * deliver job is removed at once; a failed one is kept.
     */
    const emailJobDone = (id: string) =>
      until(
        async () => {
          const state = await (await queue.getJob(id))?.getState();
          return state === undefined || state === 'failed';
        },
        15_000,
        `the e-mail step's job of ${id} finished`,
      );

    it.each([
      ['hangs', { mode: 'hang' }],
      ['answers after the step gave way', { mode: 'ok', latencyMs: 4_000 }],
    ])(
      'sends exactly one SMS while SendGrid %s, and the late answer changes nothing',
      async (_case, behaviour) => {
        await control('PUT', '/_sandbox/providers/sendgrid', behaviour);
        const to = behaviour.mode === 'hang' ? '+14155550144' : '+14155550145';
        const id = await postNotification(herald.url, {
          channel: 'email',
          to: ['slow@example.com'],
          subject: 'Sign-in code',
          text: 'It is 1234',
          providers: ['sendgrid'],
          fallback: [{ channel: 'sms', to, text: 'Your sign-in code is 1234' }],
          fallbackAfterSeconds: 1,
        });

        const superseded = await waitForRecord(herald.url, id, smsOut);
        expect(superseded.route![0]).toMatchObject({
          channel: 'email',
          status: 'sending',
          reason: 'timeout',
        });
        await emailJobDone(id);

        const record = await getRecord(herald.url, id);
        expect(await accepted('twilio', to)).toHaveLength(1);
        expect(record).toMatchObject({ step: 1, provider: 'twilio' });
        expect(record.status).toMatch(/^(sent|delivered)$/);
        expect(record.route).toHaveLength(2);
        expect(record.route![0]).toEqual(superseded.route![0]);
        // The abandoned call is ambiguous; no answer of it was written.
        const emailAttempts = record.attempts.filter((a) => a.step === 0);
        expect(emailAttempts).toEqual([
          expect.objectContaining({
            provider: 'sendgrid',
            outcome: 'failed',
            ambiguous: true,
            detail: expect.stringContaining('superseded'),
          }),
        ]);
      },
    );
  });

  describe('when a fallback step is invalid', () => {
    it.each([
      ['a bad SMS number', [{ channel: 'sms', to: '12345', text: 'x' }], 'fallback.0.to'],
      [
        'a nested fallback',
        [
          {
            channel: 'sms',
            to: '+14155550100',
            text: 'x',
            fallback: [{ channel: 'sms', to: '+14155550101', text: 'y' }],
          },
        ],
        'fallback.0.fallback',
      ],
      [
        'a sendAt of its own',
        [{ channel: 'sms', to: '+14155550100', text: 'x', sendAt: '2099-01-01T00:00:00Z' }],
        'fallback.0.sendAt',
      ],
      [
        'an unknown template',
        [{ channel: 'sms', to: '+14155550100', template: 'no-such-template' }],
        'fallback.0.template',
      ],
      ['four steps', Array(4).fill({ channel: 'sms', to: '+14155550100', text: 'x' }), 'fallback'],
    ])('answers 4xx naming the field for %s', async (_case, fallback, field) => {
      const res = await post({ channel: 'chat', to: 'C0123456789', text: 'hi', fallback });
      expect([400, 422]).toContain(res.status);
      const problem = (await res.json()) as { errors: { field: string }[] };
      expect(problem.errors.map((e) => e.field)).toContain(field);
    });

    it('judges each batch item and its fallback steps on its own', async () => {
      const sms = { channel: 'sms', to: '+14155550100', text: 'x' };
      const res = await fetch(`${herald.url}/v1/notifications/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          items: [
            { channel: 'chat', to: 'C0123456789', text: 'a', fallback: [sms] },
            { channel: 'chat', to: 'C0123456789', text: 'b', fallback: [{ ...sms, to: 'x' }] },
          ],
        }),
      });
      const { results } = (await res.json()) as {
        results: { status: number; problem?: { errors: { field: string }[] } }[];
      };
      expect(results.map((r) => r.status)).toEqual([202, 400]);
      expect(results[1]!.problem!.errors.map((e) => e.field)).toEqual(['fallback.0.to']);
    });

    it('answers 400 naming fallbackAfterSeconds when there is no fallback', async () => {
      const res = await post({
        channel: 'chat',
        to: 'C0123456789',
        text: 'hi',
        fallbackAfterSeconds: 5,
      });
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { errors: { field: string }[] };
      expect(problem.errors.map((e) => e.field)).toEqual(['fallbackAfterSeconds']);
    });
  });

  describe('when a request with fallback is replayed under its idempotency key', () => {
    it('answers the same id and starts no second route', async () => {
      await control('PUT', '/_sandbox/providers/slack', { mode: 'fail' });
      const body = {
        channel: 'chat',
        to: 'C0123456789',
        text: 'Disk full',
        fallback: [{ channel: 'sms', to: '+14155550146', text: 'Disk full' }],
      };
      const headers = { 'idempotency-key': `fallback-${Date.now()}` };
      const first = await post(body, headers);
      expect(first.status).toBe(202);
      const { id } = (await first.json()) as { id: string };
      const done = await waitForRecord(herald.url, id, smsOut);
      // This notification's jobs (its steps' and timers'): a replay's own job, queued beside its
      // claim and taken off again, belongs to no record and is not part of the route.
      const routeJobs = async () =>
        (await queue.getJobs(['completed', 'failed', 'delayed', 'waiting', 'active']))
          .map((job) => job.id)
          .filter((jobId) => jobId === id || jobId?.startsWith(`${id}-`))
          .sort();
      const jobs = await routeJobs();

      const replay = await post(body, headers);
      expect(replay.status).toBe(202);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(((await replay.json()) as { id: string }).id).toBe(id);
      expect(await routeJobs()).toEqual(jobs);
      const after = await getRecord(herald.url, id);
      expect(after.route).toHaveLength(2);
      expect(after.route![0]).toEqual(done.route![0]);
      expect(await accepted('twilio', '+14155550146')).toHaveLength(1);
    });
  });
  describe("when a producer's job carries fallback", () => {
    it('finishes the job as its first step ends and delivers the fallback step', async () => {
      const producer = await openProducer(herald);
      try {
        const job = await producer.queue.add('send', {
          // Slack refuses this channel for good: the first step fails at once.
          channel: 'chat',
          to: 'C0000000000',
          text: 'Deploy failed',
          fallback: [{ channel: 'sms', to: '+14155550147', text: 'Deploy failed' }],
        });
        const result = (await job.waitUntilFinished(producer.events, 20_000)) as { id: string };
        expect(result).toMatchObject({ status: 'queued' });
        const record = await waitForRecord(herald.url, result.id, smsOut);
        expect(record.route!.map((s) => [s.channel, s.reason])).toEqual([
          ['chat', 'failed'],
          ['sms', undefined],
        ]);
        // Rejected, or exhausted while an earlier spec left Slack's breaker open.
        expect(record.route![0]!.failure).toBeDefined();
        expect(await accepted('twilio', '+14155550147')).toHaveLength(1);
      } finally {
        await producer.close();
      }
    });
  });

  describe('when the process stops between starting a step and queueing its job', () => {
    it("the earlier step's job, run again, queues the step once, and it goes out once", async () => {
      const id = await postNotification(herald.url, {
        channel: 'chat',
        to: 'C0123456789',
        text: 'Certificate expires today',
        sendAt: new Date(Date.now() + 600_000).toISOString(),
        fallback: [{ channel: 'sms', to: '+14155550148', text: 'Certificate expires today' }],
      });
      // The transition alone, as a timer that died right after it would leave things.
      const lifecycle = herald.app.get(NotificationLifecycle);
      expect(await lifecycle.stepTimeout(id, 0)).toMatchObject({ kind: 'advanced' });
      expect(await queue.getJob(stepJobId(id, 1))).toBeUndefined();

      // The first step's job runs again (here: its delay cut short) and finds step 1 current.
      await (await queue.getJob(id))!.promote();
      const record = await waitForRecord(herald.url, id, smsOut);
      await herald.app.get(FallbackSteps).ensureCurrentStep(id);
      expect(record.route![0]).toMatchObject({ status: 'scheduled', reason: 'timeout' });
      expect(await accepted('twilio', '+14155550148')).toHaveLength(1);
      // The first step never ran: every attempt is the SMS step's.
      expect(record.attempts.map((a) => a.step)).toEqual([1]);
    });
  });

  describe('when a worker of an ended step writes late', () => {
    it('refuses its every call and write once the next step started', async () => {
      const lifecycle = herald.app.get(NotificationLifecycle);
      const redis = herald.app.get(RedisService);
      const id = randomUUID();
      await herald.app.get(NotificationRecordsRepository).create({
        id,
        caller: 'test',
        message: { channel: 'email', to: ['ada@example.com'], subject: 'Hi', text: 'x' },
        fallback: [{ channel: 'sms', to: '+14155550149', text: 'x' }],
      });
      const owner = { token: `t-${randomUUID()}`, lockKey: redis.key('test-lock', id), step: 0 };
      await redis.client.set(owner.lockKey, owner.token, 'PX', 60_000);
      expect(await lifecycle.startRound(id, owner)).toMatchObject({ kind: 'started' });
      const at = new Date().toISOString();
      const call = { provider: 'sendgrid' as const, round: 1, at, leaseMs: 60_000 };
      expect(await lifecycle.beginCall(id, owner, call)).toBe(true);

      expect(await lifecycle.stepTimeout(id, 0)).toMatchObject({
        kind: 'advanced',
        advanced: { fromChannel: 'email', toChannel: 'sms', step: 1, reason: 'timeout' },
      });
      // The same job token, even were it to own a round of step 1, is refused for step 0.
      const attempt = {
        provider: 'sendgrid' as const,
        at,
        latencyMs: 1,
        ambiguous: false,
        round: 1,
      };
      expect(await lifecycle.beginCall(id, owner, call)).toBe(false);
      expect(
        await lifecycle.appendAttempt(id, owner, { ...attempt, outcome: 'failed' }, true),
      ).toBe(false);
      expect(
        await lifecycle.markAccepted(id, owner, 'email', 'sendgrid', 'late', {
          ...attempt,
          outcome: 'sent',
        }),
      ).toBe(false);
      expect(await lifecycle.markWaiting(id, owner, at)).toBe(false);
      expect(
        await lifecycle.markFailed(id, owner, { errorClass: 'rejected', detail: 'x' }),
      ).toEqual({
        kind: 'lost',
      });
      expect(await lifecycle.startRound(id, owner)).toEqual({
        kind: 'other_step',
        step: 1,
        status: 'queued',
      });
      expect(await lifecycle.stepTimeout(id, 0)).toEqual({
        kind: 'other_step',
        step: 1,
        status: 'queued',
      });

      const record = (await herald.app.get(NotificationRecordsRepository).get(id))!;
      expect(record).toMatchObject({ status: 'queued', step: 1 });
      expect(record.providerMessageId).toBeUndefined();
      expect(record.attempts).toEqual([
        expect.objectContaining({ step: 0, provider: 'sendgrid', ambiguous: true }),
      ]);
    });
  });
  describe('when the first step is suppressed at intake', () => {
    it('starts the route at its first fallback step, the first one ended suppressed', async () => {
      const id = randomUUID();
      await herald.app.get(NotificationRecordsRepository).create({
        id,
        caller: 'test',
        message: { channel: 'email', to: ['gone@example.com'], subject: 'Hi', text: 'x' },
        fallback: [{ channel: 'sms', to: '+14155550150', text: 'x' }],
        skipFirstStep: true,
      });
      // The notification's own job, as intake queues it, hands over to the step that runs.
      await herald.app.get(NotificationAcceptance).enqueue(id, id);

      const record = await waitForRecord(herald.url, id, smsOut);
      expect(record.route).toEqual([
        expect.objectContaining({
          step: 0,
          channel: 'email',
          status: 'suppressed',
          reason: 'suppressed',
        }),
        expect.objectContaining({ step: 1, channel: 'sms', provider: 'twilio' }),
      ]);
      expect(record.attempts.map((a) => a.step)).toEqual([1]);
      expect(await accepted('twilio', '+14155550150')).toHaveLength(1);
    });
  });
  describe('when the process stops after an event ended a step, before queueing the next', () => {
    afterEach(() => control('PUT', '/_sandbox/webhooks/twilio', {}));

    it("the provider's repeated event queues the next step, which goes out once", async () => {
      // Herald's own status callbacks only: none from the simulator beside them.
      await control('PUT', '/_sandbox/webhooks/twilio', { events: [] });
      const id = await postNotification(herald.url, {
        channel: 'sms',
        to: '+14155550151',
        text: 'Your parcel is at the door',
        fallback: [
          {
            channel: 'email',
            to: ['redrive@example.com'],
            subject: 'Your parcel',
            text: 'It is at the door',
            providers: ['sendgrid'],
          },
        ],
      });
      const sent = await waitForRecord(herald.url, id, (r) => r.status === 'sent');
      const sid = sent.providerMessageId!;

      // The event applied, and the process gone before it queued the e-mail step's job.
      const applied = await herald.app
        .get(NotificationLifecycle)
        .applyEvent('twilio', sid, `${sid}:undelivered`, {
          type: 'undelivered',
          provider: 'twilio',
          at: new Date().toISOString(),
        });
      expect(applied).toMatchObject({
        kind: 'applied',
        advanced: { step: 1, reason: 'undelivered' },
      });
      expect(await queue.getJob(stepJobId(id, 1))).toBeUndefined();

      // Unacknowledged, Twilio sends the same callback again.
      const path = '/v1/provider-events/twilio';
      const params = { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003' };
      const signature = twilio.getExpectedTwilioSignature(
        herald.config.providers.twilio.authToken!,
        `${herald.config.providerEvents.publicUrl}${path}`,
        params,
      );
      const res = await fetch(`${herald.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature,
        },
        body: new URLSearchParams(params).toString(),
      });
      expect(res.status).toBeLessThan(300);

      const record = await waitForRecord(herald.url, id, smsOut);
      expect(record.route!.map((r) => [r.channel, r.reason])).toEqual([
        ['sms', 'undelivered'],
        ['email', undefined],
      ]);
      // Recorded once: the repeat was a duplicate.
      expect(record.events!.filter((e) => e.step === 0)).toEqual([
        expect.objectContaining({ type: 'undelivered', provider: 'twilio' }),
      ]);
      expect(await accepted('sendgrid', 'redrive@example.com')).toHaveLength(1);
    });
  });
  describe('when a notification waiting at a fallback step is cancelled', () => {
    it('stops the route there: no step runs after it', async () => {
      const id = await postNotification(herald.url, {
        channel: 'chat',
        to: 'C0123456789',
        text: 'Maintenance tonight',
        sendAt: new Date(Date.now() + 600_000).toISOString(),
        fallback: [{ channel: 'sms', to: '+14155550152', text: 'Maintenance tonight' }],
      });
      // Step 1 started, its job not yet queued: the notification waits there.
      await herald.app.get(NotificationLifecycle).stepTimeout(id, 0);
      const res = await fetch(`${herald.url}/v1/notifications/${id}/cancel`, { method: 'POST' });
      expect(res.status).toBe(200);

      // A re-drive finds nothing to queue; a step job that was queued anyway sends nothing.
      await herald.app.get(FallbackSteps).ensureCurrentStep(id);
      expect(await queue.getJob(stepJobId(id, 1))).toBeUndefined();
      await herald.app.get(NotificationAcceptance).enqueue(id, stepJobId(id, 1), 0, 1);
      // A re-drive's job is removed once completed (a failed one would be kept).
      await until(
        async () => (await queue.getJob(stepJobId(id, 1))) === undefined,
        10_000,
        `the step job of ${id} completed`,
      );
      const record = await getRecord(herald.url, id);
      expect(record).toMatchObject({ status: 'cancelled', step: 1 });
      expect(record.route!.map((r) => [r.step, r.status])).toEqual([
        [0, 'scheduled'],
        [1, 'cancelled'],
      ]);
      expect(await accepted('twilio', '+14155550152')).toHaveLength(0);
    });
  });

  describe("when the message's own recipient is suppressed", () => {
    /** Puts `recipient` on `channel`'s suppression list through the admin API. */
    async function suppress(channel: string, recipient: string): Promise<void> {
      const res = await fetch(`${herald.url}/v1/suppressions`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel, recipient }),
      });
      expect(res.status).toBe(201);
    }

    it('sends the SMS fallback at once, and the record shows step 0 suppressed', async () => {
      await suppress('chat', 'C0SUPPRESS16');
      const before = await fallbacks({
        from_channel: 'chat',
        to_channel: 'sms',
        reason: 'suppressed',
      });
      const id = await postNotification(herald.url, {
        channel: 'chat',
        to: 'C0SUPPRESS16',
        text: 'Backup failed',
        fallback: [{ channel: 'sms', to: '+14155550153', text: 'Backup failed' }],
      });

      const record = await waitForRecord(herald.url, id, smsOut);
      expect(await accepted('twilio', '+14155550153')).toHaveLength(1);
      expect(await accepted('slack', 'C0SUPPRESS16')).toHaveLength(0);
      expect(record).toMatchObject({ channel: 'chat', step: 1, provider: 'twilio' });
      expect(record.route).toEqual([
        expect.objectContaining({
          step: 0,
          channel: 'chat',
          status: 'suppressed',
          reason: 'suppressed',
        }),
        expect.objectContaining({ step: 1, channel: 'sms', provider: 'twilio' }),
      ]);
      expect(record.attempts.map((a) => [a.step, a.provider])).toEqual([[1, 'twilio']]);
      expect(
        await fallbacks({ from_channel: 'chat', to_channel: 'sms', reason: 'suppressed' }),
      ).toBe(before + 1);
    });

    it('passes over a suppressed fallback step to the next one', async () => {
      await suppress('chat', 'C0SUPPRESS17');
      await suppress('sms', '+14155550154');
      const id = await postNotification(herald.url, {
        channel: 'chat',
        to: 'C0SUPPRESS17',
        text: 'Backup failed',
        fallback: [
          { channel: 'sms', to: '+14155550154', text: 'Backup failed' },
          { channel: 'email', to: ['oncall-16@example.com'], subject: 'Backup', text: 'Failed' },
        ],
      });

      const record = await waitForRecord(
        herald.url,
        id,
        (r) => r.step === 2 && r.status !== 'queued' && r.status !== 'sending',
      );
      expect(record.status).toMatch(/^(sent|delivered)$/);
      expect(record.route!.map((r) => [r.step, r.channel, r.status, r.reason])).toEqual([
        [0, 'chat', 'suppressed', 'suppressed'],
        [1, 'sms', 'suppressed', 'suppressed'],
        [2, 'email', record.status, undefined],
      ]);
      expect(await accepted('twilio', '+14155550154')).toHaveLength(0);
    });

    it('passes over a suppressed step when an earlier step fails for good', async () => {
      await control('PUT', '/_sandbox/providers/slack', { mode: 'fail' });
      await suppress('sms', '+14155550155');
      const id = await postNotification(herald.url, {
        channel: 'chat',
        to: 'C0123456789',
        text: 'Backup failed',
        fallback: [
          { channel: 'sms', to: '+14155550155', text: 'Backup failed' },
          { channel: 'email', to: ['oncall-17@example.com'], subject: 'Backup', text: 'Failed' },
        ],
      });

      const record = await waitForRecord(
        herald.url,
        id,
        (r) => r.step === 2 && r.status !== 'queued' && r.status !== 'sending',
      );
      expect(record.route!.map((r) => [r.step, r.status, r.reason])).toEqual([
        [0, 'failed', 'failed'],
        [1, 'suppressed', 'suppressed'],
        [2, record.status, undefined],
      ]);
      expect(await accepted('twilio', '+14155550155')).toHaveLength(0);
    });

    it('refuses it with 422 when every step is suppressed too', async () => {
      await suppress('chat', 'C0SUPPRESS18');
      await suppress('sms', '+14155550156');
      const res = await post({
        channel: 'chat',
        to: 'C0SUPPRESS18',
        text: 'Backup failed',
        fallback: [{ channel: 'sms', to: '+14155550156', text: 'Backup failed' }],
      });
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ code: 'recipient_suppressed' });
    });
  });
});
