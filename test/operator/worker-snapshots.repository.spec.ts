import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config/load-config';
import type { WorkerSnapshot } from '../../src/providers-status/provider-status.schema';
import { WorkerSnapshotsRepository } from '../../src/providers-status/worker-snapshots.repository';
import { RedisService } from '../../src/redis/redis.service';
import { testEnv } from '../support/herald';

const PUBLISH_MS = 100;

function snapshot(workerId: string): WorkerSnapshot {
  return {
    workerId,
    role: 'worker',
    publishedAt: new Date().toISOString(),
    windowMs: 60_000,
    providers: [],
  };
}

describe(WorkerSnapshotsRepository.name, () => {
  const { config } = loadConfig(testEnv({ HERALD_STATUS_PUBLISH_MS: String(PUBLISH_MS) }));
  const redis = new RedisService(config);
  const snapshots = new WorkerSnapshotsRepository(redis, config);

  beforeAll(async () => {
    await vi.waitFor(() => expect(redis.client.status).toBe('ready'));
  });
  afterAll(() => redis.onApplicationShutdown());

  it('returns the views published within the TTL, by worker id', async () => {
    await snapshots.publish(snapshot('w2'));
    await snapshots.publish(snapshot('w1'));
    expect((await snapshots.live()).map((s) => s.workerId)).toEqual(['w1', 'w2']);
  });

  it('drops a worker that stopped publishing once its TTL is over, and forgets its name', async () => {
    await snapshots.publish(snapshot('quiet'));
    await sleep(config.status.ttlMs + 50);
    expect((await snapshots.live()).map((s) => s.workerId)).not.toContain('quiet');
    expect(await redis.client.smembers(redis.key('providers', 'workers'))).not.toContain('quiet');
  });

  it('skips a view it cannot read rather than trusting it', async () => {
    await snapshots.publish(snapshot('good'));
    await redis.client.sadd(redis.key('providers', 'workers'), 'odd');
    await redis.client.set(
      redis.key('providers', 'worker', 'odd'),
      '{"workerId":"odd"}',
      'PX',
      5_000,
    );
    const ids = (await snapshots.live()).map((s) => s.workerId);
    expect(ids).toContain('good');
    expect(ids).not.toContain('odd');
  });

  it('removes a view at once', async () => {
    await snapshots.publish(snapshot('leaving'));
    await snapshots.remove('leaving');
    expect((await snapshots.live()).map((s) => s.workerId)).not.toContain('leaving');
  });
});
