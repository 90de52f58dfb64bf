import { NotificationsController } from '../../src/notifications/notifications.controller';
import { NotificationLifecycle } from '../../src/notifications/notification-lifecycle';
import { ACCEPTED_SEND_JOB_FIELD } from '../../src/queue/queue.constants';
import { RedisService } from '../../src/redis/redis.service';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import {
  deliveryEnv,
  emailTo,
  getRecord,
  isFinal,
  openProducer,
  postNotification,
  startSimulator,
  waitForRecord,
} from '../delivery/delivery-fixture';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import { until } from '../support/until';

describe(`${NotificationsController.name} cancel`, () => {
  let simulator: ProviderSimulator;
  let api: RunningHerald;
  let worker: RunningHerald | undefined;
  let env: Record<string, string | undefined>;
  const cancel = (id: string) =>
    fetch(`${api.url}/v1/notifications/${id}/cancel`, { method: 'POST' });

  beforeAll(async () => {
    simulator = await startSimulator();
    env = deliveryEnv(simulator.url, {
      HERALD_EMAIL_PROVIDERS: 'sendgrid',
      // Long enough for the in-flight spec's slow provider; a failed round waits a minute.
      SENDGRID_DEADLINE_MS: '5000',
      HERALD_BREAKER_ROLLING_WINDOW_MS: '30000',
      HERALD_RETRY_BASE_MS: '60000',
      HERALD_RETRY_CAP_MS: '60000',
      HERALD_RETRY_ATTEMPTS: '3',
    });
    // The API alone: nothing picks the jobs up until the spec starts a worker.
    api = await startReadyHerald({ ...env, HERALD_ROLE: 'api' });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await simulator?.stop();
  });

  describe("when a round starts on a cancelled notification's record", () => {
    it('refuses to start it', async () => {
      const id = await postNotification(api.url, emailTo('refused@example.com'));
      expect((await cancel(id)).status).toBe(200);
      const { shards } = api.app.get(RedisService);
      const start = await api.app.get(NotificationLifecycle).startRound(id, {
        token: 'a-token',
        // No job's lock, under the record's shard prefix so that on a cluster it shares its slot.
        lockKey: shards.key(shards.ofId(id), 'no-such-lock'),
        step: 0,
      });
      expect(start).toEqual({ kind: 'not_startable', status: 'cancelled' });
    });
  });

  describe('when the notification is still queued', () => {
    it('answers 409 notification_not_cancellable to a second cancel', async () => {
      const id = await postNotification(api.url, emailTo('twice@example.com'));
      expect((await cancel(id)).status).toBe(200);
      const again = await cancel(id);
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ code: 'notification_not_cancellable' });
    });

    it('answers 404 for an unknown id', async () => {
      expect((await cancel('6f1c2b8e-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await cancel('not-an-id')).status).toBe(404);
    });
    // Last in this block: it starts the worker the later blocks use.
    it('cancels it, and no worker ever sends it', async () => {
      const id = await postNotification(api.url, emailTo('cancel-me@example.com'));
      const answer = await cancel(id);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ id, status: 'cancelled' });
      expect(await getRecord(api.url, id)).toMatchObject({
        status: 'cancelled',
        cancelledAt: expect.any(String),
      });

      worker = await startReadyHerald({ ...env, HERALD_ROLE: 'worker' });
      // Jobs run in order: once a notification queued after it is sent, its turn is past.
      const after = await postNotification(api.url, emailTo('after@example.com'));
      expect((await waitForRecord(api.url, after, isFinal)).status).toBe('sent');
      expect(simulator.requests('sendgrid')).toBe(1);
      expect((await getRecord(api.url, id)).status).toBe('cancelled');
    });
  });

  describe('when the notification waits for its next round', () => {
    it("cancels it, and the producer's job completes as cancelled without sending", async () => {
      expect(worker).toBeDefined();
      simulator.setBehaviour('sendgrid', { mode: 'fail', status: 503 });
      const producer = await openProducer(worker!);
      try {
        const job = await producer.queue.add('send', emailTo('waiting@example.com'));
        let id = '';
        await until(
          async () => {
            const data = (await producer.queue.getJob(job.id!))?.data as Record<string, string>;
            id = data?.[ACCEPTED_SEND_JOB_FIELD] ?? '';
            return id !== '' && (await getRecord(api.url, id)).nextAttemptAt !== undefined;
          },
          10_000,
          'the first round to fail and wait',
        );
        const requests = simulator.requests('sendgrid');

        expect((await cancel(id)).status).toBe(200);
        // The delayed job is promoted at once rather than left to wait out its minute.
        expect(await job.waitUntilFinished(producer.events, 10_000)).toEqual({
          id,
          status: 'cancelled',
        });
        expect(simulator.requests('sendgrid')).toBe(requests);
        expect((await getRecord(api.url, id)).status).toBe('cancelled');
      } finally {
        await producer.close();
      }
    });
  });

  describe('when a round is sending it', () => {
    it('answers 409 notification_not_cancellable, and the message is sent exactly once', async () => {
      simulator.setBehaviour('sendgrid', { mode: 'ok', latencyMs: 1_500 });
      const before = simulator.requests('sendgrid');
      const id = await postNotification(api.url, emailTo('in-flight@example.com'));
      await until(
        async () =>
          simulator.requests('sendgrid') > before &&
          (await getRecord(api.url, id)).status === 'sending',
        10_000,
        'the provider call to start',
      );

      const answer = await cancel(id);
      expect(answer.status).toBe(409);
      expect(await answer.json()).toMatchObject({ code: 'notification_not_cancellable' });
      expect((await waitForRecord(api.url, id, isFinal)).status).toBe('sent');
      expect(simulator.requests('sendgrid')).toBe(before + 1);
    });
  });
});
