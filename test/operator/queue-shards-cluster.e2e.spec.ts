import { createRequire } from 'node:module';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { SEND_JOB } from '../../src/queue/queue.constants';
import { QueueShards, shardPrefixes } from '../../src/queue/queue-shards';
import { RedisService } from '../../src/redis/redis.service';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import {
  deliveryEnv,
  emailTo,
  isFinal,
  startSimulator,
  waitForRecord,
} from '../delivery/delivery-fixture';
import { post, request } from '../notifications/notification-requests';
import { type RunningHerald, startReadyHerald, uniquePrefix } from '../support/herald';
import { type RedisCluster, startRedisCluster } from '../support/redis-cluster';

const SHARDS = 6;

/** The cluster slot of a key, as ioredis computes it (its own dependency, untyped). */
const calculateSlot = createRequire(__filename)('cluster-key-slot') as (key: string) => number;

/**
 * A fresh `{tag}` prefix whose shards' slots fall in every third of the slot space, so each of
 * the test cluster's masters (a third each) holds some: a random tag could put all on one.
 */
function spreadPrefix(): string {
  for (;;) {
    const prefix = `{${uniquePrefix()}}`;
    const thirds = shardPrefixes(prefix, SHARDS).map((p) =>
      Math.floor((calculateSlot(p) * 3) / 16_384),
    );
    if (new Set(thirds).size === 3) return prefix;
  }
}

/** How many keys of Herald's shards each master holds (KEYS on a node sees only its own slots). */
async function keysPerMaster(
  cluster: RedisCluster,
  prefixes: readonly string[],
): Promise<number[]> {
  return Promise.all(
    cluster.masters.map(async (m) => {
      const redis = new Redis(m.url);
      try {
        const counts = await Promise.all(
          prefixes.map(async (p) => (await redis.keys(`${p}*`)).length),
        );
        return counts.reduce((a, b) => a + b, 0);
      } finally {
        redis.disconnect();
      }
    }),
  );
}

describe(`${QueueShards.name} on a three-master Redis Cluster`, () => {
  let cluster: RedisCluster;
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  let shards: QueueShards;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    simulator = await startSimulator();
    herald = await startReadyHerald(
      deliveryEnv(simulator.url, {
        REDIS_URL: undefined,
        REDIS_CLUSTER_NODES: cluster.seeds,
        HERALD_REDIS_PREFIX: spreadPrefix(),
        HERALD_QUEUE_SHARDS: String(SHARDS),
        // One provider, patient: each message is one request, so a count says "once".
        HERALD_EMAIL_PROVIDERS: 'sendgrid',
        SENDGRID_DEADLINE_MS: '3000',
      }),
    );
    shards = herald.app.get(RedisService).shards;
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
    await cluster?.stop();
  });

  describe('when notifications are accepted over REST and by producers on every shard', () => {
    it('spreads their keys over the masters, never crosses a slot, and sends each once', async () => {
      const before = simulator.requests('sendgrid');
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          post(
            `${herald.url}/v1/notifications`,
            emailTo(`c${i}@example.com`),
            i % 2 === 0 ? { 'idempotency-key': `cluster-${i}` } : {},
          ),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
      const ids = answers.map((a) => a.body.id as string);
      // A repeated key replays, whichever master its first request went to.
      const replay = await post(`${herald.url}/v1/notifications`, emailTo('c0@example.com'), {
        'idempotency-key': 'cluster-0',
      });
      expect(replay.body.id).toBe(ids[0]);

      // Producers: a keyed job on every shard's queue (most of them another shard than the
      // key's), and one without a key.
      const connection = herald.app.get(RedisService).connectionOptions();
      const queues = shards.prefixes.map(
        (prefix) => new Queue(herald.config.queue.name, { connection, prefix }),
      );
      const events = shards.prefixes.map(
        (prefix) => new QueueEvents(herald.config.queue.name, { connection, prefix }),
      );
      try {
        await Promise.all(events.map((e) => e.waitUntilReady()));
        const jobs = await Promise.all(
          queues.map((queue, k) =>
            queue.add(SEND_JOB, { ...emailTo(`p${k}@example.com`), idempotencyKey: `job-${k}` }),
          ),
        );
        const unkeyed = await queues[3]!.add(SEND_JOB, emailTo('p-unkeyed@example.com'));
        const results = (await Promise.all(
          [...jobs, unkeyed].map((job, k) =>
            job.waitUntilFinished(events[k === jobs.length ? 3 : k]!, 30_000),
          ),
        )) as { id: string }[];
        ids.push(...results.map((r) => r.id));
      } finally {
        await Promise.all([...events, ...queues].map((q) => q.close()));
      }

      for (const id of ids) {
        expect(['sent', 'delivered']).toContain(
          (await waitForRecord(herald.url, id, isFinal, 30_000)).status,
        );
      }
      expect(new Set(ids).size).toBe(31);
      expect(simulator.requests('sendgrid') - before).toBe(31);
      const perMaster = await keysPerMaster(cluster, shards.prefixes);
      expect(perMaster.filter((n) => n > 0)).toHaveLength(3);
    });

    it('sends a chat message, whose send keeps no provider-message map, in its own slot', async () => {
      const answer = await post(`${herald.url}/v1/notifications`, {
        channel: 'chat',
        to: 'C0123456789',
        text: 'Deploy finished',
      });
      expect(answer.status).toBe(202);
      const record = await waitForRecord(herald.url, answer.body.id as string, isFinal, 30_000);
      expect(record.status).toBe('delivered');
    });

    it('lists them across the masters page by page', async () => {
      const whole = await request(`${herald.url}/v1/notifications?limit=100`);
      const all = (whole.body.items as { id: string }[]).map((i) => i.id);
      expect(all.length).toBeGreaterThanOrEqual(24);
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await request(
          `${herald.url}/v1/notifications?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        paged.push(...(page.body.items as { id: string }[]).map((i) => i.id));
        cursor = page.body.nextCursor as string | undefined;
      } while (cursor !== undefined);
      expect(paged).toEqual(all);
    });

    it("is ready, its probe having written to every shard's master", async () => {
      expect((await request(`${herald.url}/health/ready`)).status).toBe(200);
      const redis = herald.app.get(RedisService).client;
      for (const shard of shards.all) {
        expect(await redis.exists(shards.key(shard, 'health', 'probe'))).toBe(1);
      }
    });
  });
});
