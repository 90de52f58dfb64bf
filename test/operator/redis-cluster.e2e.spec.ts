import { Redis } from 'ioredis';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { RedisService } from '../../src/redis/redis.service';
import {
  deliveryEnv,
  emailTo,
  isFinal,
  postNotification,
  startSimulator,
  waitForRecord,
} from '../delivery/delivery-fixture';
import { SMS, expectProblem, post, request } from '../notifications/notification-requests';
import {
  type RunningHerald,
  startHerald,
  startReadyHerald,
  testEnv,
  uniquePrefix,
} from '../support/herald';
import { type RedisCluster, startRedisCluster } from '../support/redis-cluster';
import { until } from '../support/until';

/** How many keys under `prefix` each master holds (KEYS on a node sees only its own slots). */
async function keysPerMaster(cluster: RedisCluster, prefix: string): Promise<number[]> {
  return Promise.all(
    cluster.masters.map(async (m) => {
      const redis = new Redis(m.url);
      try {
        return (await redis.keys(`${prefix}*`)).length;
      } finally {
        redis.disconnect();
      }
    }),
  );
}

describe('Herald on a three-master Redis Cluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(() => cluster?.stop());

  describe('when configured with REDIS_CLUSTER_NODES and a hash-tag prefix', () => {
    let simulator: ProviderSimulator;
    let herald: RunningHerald;
    beforeAll(async () => {
      simulator = await startSimulator();
      herald = await startReadyHerald(
        deliveryEnv(simulator.url, {
          REDIS_URL: undefined,
          REDIS_CLUSTER_NODES: cluster.seeds,
          HERALD_REDIS_PREFIX: `{${uniquePrefix()}}`,
        }),
      );
    });
    afterAll(async () => {
      await herald?.close();
      await simulator?.stop();
    });

    it('is ready, accepts and sends an e-mail through the worker', async () => {
      expect((await request(`${herald.url}/health/ready`)).status).toBe(200);
      const id = await postNotification(herald.url, emailTo('ada@example.com'));
      const record = await waitForRecord(herald.url, id, isFinal);
      expect(record).toMatchObject({ status: 'sent', provider: 'sendgrid' });
    });

    it('replays a repeated Idempotency-Key', async () => {
      const headers = { 'idempotency-key': 'cluster-1' };
      const first = await post(`${herald.url}/v1/notifications`, SMS, headers);
      const again = await post(`${herald.url}/v1/notifications`, SMS, headers);
      expect(first.status).toBe(202);
      expect(again.status).toBe(202);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.id).toBe(first.body.id);
    });

    it('keeps every key on one master for now: the prefix is the only hash tag', async () => {
      const counts = await keysPerMaster(cluster, herald.config.queue.prefix);
      expect(counts.filter((n) => n > 0)).toHaveLength(1);
    });
  });

  describe('when REDIS_URL names one node of the cluster', () => {
    let herald: RunningHerald;
    beforeAll(async () => {
      herald = await startHerald(
        testEnv({ HERALD_ROLE: 'api', REDIS_URL: cluster.masters[0]!.url }),
      );
      const redis = herald.app.get(RedisService);
      await until(() => redis.client.status === 'ready', 5_000, 'Redis connected');
    });
    afterAll(() => herald?.close());

    it('says it is not ready, and why', async () => {
      const ready = await request(`${herald.url}/health/ready`);
      expectProblem(ready, 503, 'not_ready');
      expect(ready.body.detail).toMatch(/redis/);
      expect(await herald.app.get(RedisService).probe()).toEqual({
        ok: false,
        reason: expect.stringMatching(/REDIS_CLUSTER_NODES/),
      });
    });

    it('answers a POST with 503 redis_unavailable and Retry-After, not 500', async () => {
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => post(`${herald.url}/v1/notifications`, SMS)),
      );
      for (const answer of answers) {
        expectProblem(answer, 503, 'redis_unavailable');
        expect(answer.headers.get('retry-after')).toBe('1');
      }
    });
  });
});

describe('Herald on a Redis Cluster with replicas', () => {
  let cluster: RedisCluster;
  let herald: RunningHerald;
  beforeAll(async () => {
    cluster = await startRedisCluster({ replicas: true });
    herald = await startReadyHerald(
      testEnv({
        HERALD_ROLE: 'api',
        REDIS_URL: undefined,
        REDIS_CLUSTER_NODES: cluster.seeds,
        HERALD_REDIS_PREFIX: `{${uniquePrefix()}}`,
      }),
    );
  });
  afterAll(async () => {
    await herald?.close();
    await cluster?.stop();
  });

  describe("when the master holding Herald's slot dies and its replica takes over", () => {
    it('answers 503 with Retry-After meanwhile, never 500, and accepts again by itself', async () => {
      expect((await post(`${herald.url}/v1/notifications`, SMS)).status).toBe(202);
      const counts = await keysPerMaster(cluster, herald.config.queue.prefix);
      await cluster.masters[counts.findIndex((n) => n > 0)]!.stop('SIGKILL');

      const statuses: number[] = [];
      await until(
        async () => {
          const answer = await post(`${herald.url}/v1/notifications`, SMS);
          statuses.push(answer.status);
          if (answer.status === 503) {
            expectProblem(answer, 503, 'redis_unavailable');
            expect(answer.headers.get('retry-after')).toBe('1');
          }
          return answer.status === 202;
        },
        30_000,
        'Herald accepting again after the failover',
        100,
      );
      expect(statuses.filter((s) => s !== 202 && s !== 503)).toEqual([]);
      expect(statuses).toContain(503);
      expect((await request(`${herald.url}/health/ready`)).status).toBe(200);
    });
  });
});
