import { Queue, QueueEvents } from 'bullmq';
import type { NotificationRecord } from '../../src/contracts/notification-record';
import { SEND_JOB } from '../../src/queue/queue.constants';
import { QueueShards } from '../../src/queue/queue-shards';
import { RedisService } from '../../src/redis/redis.service';
import { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { EVENT_EMAIL_RECIPIENTS } from '../../src/sandbox/sandbox-conventions';
import {
  startWithSignedEvents,
  emailTo,
  isFinal,
  waitForRecord,
} from '../delivery/delivery-fixture';
import type { RunningHerald } from '../support/herald';
import { until } from '../support/until';
import { useWebhookReceiver } from '../sandbox/webhook-receiver';
import { post, request } from './notification-requests';

const SHARDS = 3;

/** An idempotency key on `shard` (the first `<stem>-<i>` that is). */
function keyOn(shards: QueueShards, shard: number, stem: string): string {
  for (let i = 0; ; i++) if (shards.ofKey(`${stem}-${i}`) === shard) return `${stem}-${i}`;
}

describe(`${QueueShards.name} on one Redis`, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  let shards: QueueShards;
  let redis: RedisService['client'];
  /** A producer's handle on each shard's queue, as README's example opens them. */
  let queues: Queue[];
  let events: QueueEvents[];
  const receiver = useWebhookReceiver();

  beforeAll(async () => {
    ({ simulator, herald } = await startWithSignedEvents({
      HERALD_EMAIL_PROVIDERS: 'sendgrid',
      HERALD_EVENT_ENDPOINT_HOSTS: '127.0.0.1',
      HERALD_QUEUE_SHARDS: String(SHARDS),
    }));
    simulator.setWebhook('sendgrid', { url: `${herald.url}/v1/provider-events/sendgrid` });
    const service = herald.app.get(RedisService);
    shards = service.shards;
    redis = service.client;
    const connection = service.connectionOptions();
    queues = shards.prefixes.map(
      (prefix) => new Queue(herald.config.queue.name, { connection, prefix }),
    );
    events = shards.prefixes.map(
      (prefix) => new QueueEvents(herald.config.queue.name, { connection, prefix }),
    );
    await Promise.all(events.map((e) => e.waitUntilReady()));
  });
  afterAll(async () => {
    await Promise.all([...(events ?? []), ...(queues ?? [])].map((q) => q.close()));
    await herald?.close();
    await simulator?.stop();
  });

  const accept = async (body: unknown, key?: string) => {
    const answer = await post(
      `${herald.url}/v1/notifications`,
      body,
      key === undefined ? {} : { 'idempotency-key': key },
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    return answer;
  };

  describe('when notifications are accepted without a key', () => {
    it('lands each on the shard its id names, with its record there, and sends it', async () => {
      const ids = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          const { body } = await accept(emailTo(`spread-${i}@example.com`));
          return body.id as string;
        }),
      );
      for (const id of ids) {
        expect(await redis.exists(shards.key(shards.ofId(id), 'ntf', id))).toBe(1);
      }
      for (const id of ids) {
        // `delivered` once the simulator's event arrived.
        expect(['sent', 'delivered']).toContain(
          (await waitForRecord(herald.url, id, isFinal)).status,
        );
      }
    });
  });

  describe('when a keyed request is repeated', () => {
    it("lands on the key's shard, claim and record together, and replays the same id", async () => {
      const key = keyOn(shards, 2, 'replay');
      const first = await accept(emailTo('replay@example.com'), key);
      const again = await accept(emailTo('replay@example.com'), key);
      const id = first.body.id as string;
      expect(again.body.id).toBe(id);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(shards.ofId(id)).toBe(2);
      const claims = await redis.keys(`${shards.prefixes[2]}:idem:*`);
      expect(claims).toHaveLength(1);
      await waitForRecord(herald.url, id, isFinal);
    });
  });

  describe('when a listing spans the shards', () => {
    it('merges them newest first, page by page with the cursor, missing none', async () => {
      const res = await request(`${herald.url}/v1/notifications?limit=100`);
      const all = (res.body.items as { id: string; createdAt: string }[]).map((i) => i.id);
      expect(all.length).toBeGreaterThanOrEqual(13);
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await request(
          `${herald.url}/v1/notifications?limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        );
        const items = page.body.items as { id: string }[];
        expect(items.length).toBeLessThanOrEqual(4);
        paged.push(...items.map((i) => i.id));
        cursor = page.body.nextCursor as string | undefined;
      } while (cursor !== undefined);
      expect(paged).toEqual(all);
      const created = (res.body.items as { createdAt: string }[]).map((i) => i.createdAt);
      expect(created).toEqual([...created].sort().reverse());
    });
  });

  describe('when a scheduled notification is cancelled', () => {
    it("takes its job off its own shard's queue", async () => {
      const sendAt = new Date(Date.now() + 3_600_000).toISOString();
      const key = keyOn(shards, 1, 'cancel');
      const { body } = await accept({ ...emailTo('later@example.com'), sendAt }, key);
      const id = body.id as string;
      expect(await queues[1]!.getJob(id)).toBeDefined();
      const cancelled = await post(`${herald.url}/v1/notifications/${id}/cancel`, {});
      expect(cancelled.status).toBe(200);
      await until(async () => (await queues[1]!.getJob(id)) === undefined, 5_000, 'job withdrawn');
      expect((await request(`${herald.url}/v1/notifications/${id}`)).body.status).toBe('cancelled');
    });
  });

  describe("when a provider's bounce comes back for a notification on one shard", () => {
    it('finds it by the provider message id, and the suppression screens intake on another', async () => {
      const key = keyOn(shards, 0, 'bounce');
      const { body } = await accept(emailTo(EVENT_EMAIL_RECIPIENTS.bounce), key);
      const id = body.id as string;
      const bounced = await waitForRecord(herald.url, id, (r) => r.status === 'bounced');
      expect(bounced.events!.map((e) => e.type)).toEqual(['bounced']);
      const calls = simulator.requests('sendgrid');
      for (const shard of [1, 2]) {
        const refused = await post(
          `${herald.url}/v1/notifications`,
          emailTo(EVENT_EMAIL_RECIPIENTS.bounce),
          { 'idempotency-key': keyOn(shards, shard, 'after-bounce') },
        );
        expect(refused.status).toBe(422);
        expect(refused.body.code).toBe('recipient_suppressed');
      }
      expect(simulator.requests('sendgrid')).toBe(calls);
    });
  });

  describe("when a producer adds a keyed send job to another shard's queue than its key's", () => {
    it('hands it over to its shard, which delivers it once; a repeat on a third replays', async () => {
      const key = keyOn(shards, 1, 'producer');
      const message = { ...emailTo('hop@example.com'), idempotencyKey: key };
      const before = simulator.requests('sendgrid');
      const job = await queues[0]!.add(SEND_JOB, message);
      const result = (await job.waitUntilFinished(events[0]!, 20_000)) as { id: string };
      expect(shards.ofId(result.id)).toBe(1);
      const record: NotificationRecord = await waitForRecord(herald.url, result.id, isFinal);
      expect(['sent', 'delivered']).toContain(record.status);
      const repeat = await queues[2]!.add(SEND_JOB, message);
      const replayed = (await repeat.waitUntilFinished(events[2]!, 20_000)) as { id: string };
      expect(replayed.id).toBe(result.id);
      expect(simulator.requests('sendgrid')).toBe(before + 1);
    });
  });

  describe('when a producer adds a send job without a key', () => {
    it('is delivered by the job itself, on the shard of its queue', async () => {
      const job = await queues[2]!.add(SEND_JOB, emailTo('own@example.com'));
      const result = (await job.waitUntilFinished(events[2]!, 20_000)) as {
        id: string;
        status: string;
      };
      expect(result.status).toBe('sent');
      expect(shards.ofId(result.id)).toBe(2);
    });

    it("is its own notification even when another shard's queue has a job of the same id", async () => {
      const [a, b] = await Promise.all(
        [0, 1].map(async (shard) => {
          const job = await queues[shard]!.add(SEND_JOB, emailTo(`same-id-${shard}@example.com`), {
            jobId: 'same-id',
          });
          return (await job.waitUntilFinished(events[shard]!, 20_000)) as { id: string };
        }),
      );
      expect(a!.id).not.toBe(b!.id);
      expect([shards.ofId(a!.id), shards.ofId(b!.id)]).toEqual([0, 1]);
    });
  });

  describe('when the caller has an event endpoint', () => {
    it("relays the events of its notifications from every shard's outbox", async () => {
      const registered = await request(`${herald.url}/v1/event-endpoint`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: receiver.url('/events'), events: ['notification.sent'] }),
      });
      expect(registered.status).toBe(201);
      const ids = await Promise.all(
        Array.from({ length: 9 }, async (_, i) => {
          const { body } = await accept(
            emailTo(`evt-${i}@example.com`),
            keyOn(shards, i % SHARDS, `evt-${i}`),
          );
          return body.id as string;
        }),
      );
      expect(new Set(ids.map((id) => shards.ofId(id))).size).toBe(SHARDS);
      const relayed = () =>
        new Set(
          receiver.received.map((r) => (JSON.parse(r.rawBody) as { data: { id: string } }).data.id),
        );
      await until(() => ids.every((id) => relayed().has(id)), 15_000, 'an event per notification');
    });
  });
});
