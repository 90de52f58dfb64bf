import { createHash } from 'node:crypto';
import { type JobsOptions, Queue, QueueEvents } from 'bullmq';
import { Cluster } from 'ioredis';
import { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';
import { producerConnection } from '../support/test-redis';
import { SMS, request } from './notification-requests';
import { expectWorker } from './worker-role';

/** Milliseconds a producer waits for a job here: far above a sandbox delivery. */
const WAIT_MS = 15_000;

/** A shard's queue as a producer opens it, with the listener its jobs' outcomes come through. */
interface ShardQueue {
  readonly queue: Queue;
  readonly events: QueueEvents;
}

/**
 * The documented rule (README, Queue), as a producer writes it: the prefix of shard `k` of
 * `count` (the configured one itself with one shard; its hash tag `{t}` as `{t-k}`, or the whole
 * prefix `p` as `{p-k}`), and the shard of an idempotency key (its SHA-256's first 4 bytes, mod).
 */
const shardPrefix = (prefix: string, k: number, count: number) => {
  if (count === 1) return prefix;
  const tag = /\{([^}]+)\}/.exec(prefix);
  return tag ? prefix.replace(tag[0], `{${tag[1]}-${k}}`) : `{${prefix}-${k}}`;
};
const shardOfKey = (key: string, count: number) =>
  createHash('sha256').update(key).digest().readUInt32BE(0) % count;

/**
 * A producer in another service: BullMQ and the documented queue name, prefixes, shard rule and
 * job name, nothing of Herald's code. A keyed job goes to its key's shard's queue, one without a
 * key to shard 0's.
 */
describe('a producer adding jobs to the queue', () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  let shards: ShardQueue[] = [];
  let connection: ReturnType<typeof producerConnection> | undefined;
  /** The queue of `key`'s shard (shard 0's for none). */
  const shardFor = (key?: string) =>
    shards[key === undefined ? 0 : shardOfKey(key, shards.length)]!;
  /** Adds a `send` job to the queue the rule names for its idempotency key. */
  const add = async (data: Record<string, unknown>, opts?: JobsOptions) => {
    const { queue, events } = shardFor(data.idempotencyKey as string | undefined);
    return { job: await queue.add('send', data, opts), queue, events };
  };

  beforeAll(async () => {
    simulator = new ProviderSimulator();
    const sandboxUrl = await simulator.start(0);
    herald = await startReadyHerald(
      testEnv({
        HERALD_ROLE: 'all',
        HERALD_SANDBOX_URL: sandboxUrl,
        HERALD_QUEUE_NAME: 'notifications-for-producers',
      }),
    );
    expectWorker(herald);
    connection = producerConnection(herald.config);
    const { prefix, shards: count } = herald.config.queue;
    shards = Array.from({ length: count }, (_, k) => {
      const where = { connection: connection!, prefix: shardPrefix(prefix, k, count) };
      return {
        queue: new Queue('notifications-for-producers', where),
        events: new QueueEvents('notifications-for-producers', where),
      };
    });
    await Promise.all(shards.map(({ events }) => events.waitUntilReady()));
  });
  afterAll(async () => {
    await Promise.all(shards.map(({ events }) => events.close()));
    await Promise.all(shards.map(({ queue }) => queue.close()));
    if (connection instanceof Cluster) connection.disconnect();
    await herald?.close();
    await simulator?.stop();
  });

  it('delivers a valid job and returns {id, status, provider, providerMessageId}', async () => {
    const { job, events } = await add({ ...SMS, idempotencyKey: 'producer-1' });
    const result = await job.waitUntilFinished(events, WAIT_MS);
    expect(result).toEqual({
      id: expect.any(String),
      status: 'sent',
      provider: 'twilio',
      providerMessageId: expect.any(String),
    });
    const record = await request(`${herald.url}/v1/notifications/${result.id}`);
    expect(record.body).toMatchObject({
      id: result.id,
      caller: 'queue:notifications-for-producers',
      status: 'sent',
      providerMessageId: result.providerMessageId,
    });
    expect(simulator.messages({ notificationId: result.id })).toHaveLength(1);
  });

  it('fails an invalid job at once, without retries, with the validation message', async () => {
    const { job, queue, events } = await add(
      { channel: 'sms', to: '555-0100', text: '', colour: 'blue' },
      { attempts: 5, backoff: { type: 'fixed', delay: 10 } },
    );
    await expect(job.waitUntilFinished(events, WAIT_MS)).rejects.toThrow(/to.*text.*colour/);
    const failed = await queue.getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
    expect(await failed?.getState()).toBe('failed');
    expect(failed?.failedReason).toMatch(/E\.164/);
  });

  it('keeps going after an invalid job', async () => {
    await add({ channel: 'nope' });
    const { job, events } = await add({ ...SMS, text: 'after the bad one' });
    expect(await job.waitUntilFinished(events, WAIT_MS)).toMatchObject({ status: 'sent' });
  });

  it('treats idempotencyKey like the REST header: the same key is delivered once', async () => {
    const first = await add({ ...SMS, idempotencyKey: 'producer-once' });
    const firstResult = await first.job.waitUntilFinished(first.events, WAIT_MS);
    const second = await add({ ...SMS, idempotencyKey: 'producer-once' });
    const secondResult = await second.job.waitUntilFinished(second.events, WAIT_MS);
    expect(secondResult.id).toBe(firstResult.id);
    expect(simulator.messages({ notificationId: firstResult.id })).toHaveLength(1);
  });

  it('refuses another body under a used idempotencyKey, at once', async () => {
    const used = await add({ ...SMS, idempotencyKey: 'producer-reused' });
    await used.job.waitUntilFinished(used.events, WAIT_MS);
    const other = await add({ ...SMS, text: 'another body', idempotencyKey: 'producer-reused' });
    await expect(other.job.waitUntilFinished(other.events, WAIT_MS)).rejects.toThrow(
      /another body/,
    );
  });

  it('deduplicates by jobId while BullMQ still holds the job, and by Herald’s store after', async () => {
    const data = { ...SMS, text: 'with a jobId', idempotencyKey: 'order-77' };
    const { job, queue, events } = await add(data, { jobId: 'order-77' });
    const duplicate = await add(data, { jobId: 'order-77' });
    expect(duplicate.job.id).toBe(job.id);
    const result = await job.waitUntilFinished(events, WAIT_MS);

    await queue.remove('order-77');
    const afterRemoval = await add(data, { jobId: 'order-77' });
    expect((await afterRemoval.job.waitUntilFinished(events, WAIT_MS)).id).toBe(result.id);
    expect(simulator.messages({ notificationId: result.id })).toHaveLength(1);
  });
});
