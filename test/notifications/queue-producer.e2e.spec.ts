import { Queue, QueueEvents } from 'bullmq';
import { Cluster } from 'ioredis';
import { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';
import { producerConnection } from '../support/test-redis';
import { SMS, request } from './notification-requests';
import { expectWorker } from './worker-role';

/** Milliseconds a producer waits for a job here: far above a sandbox delivery. */
const WAIT_MS = 15_000;

/**
 * A producer in another service: BullMQ and the documented queue name, prefix and job name,
 * nothing of Herald's code.
 */
describe('a producer adding jobs to the queue', () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  let queue: Queue;
  let events: QueueEvents;
  let connection: ReturnType<typeof producerConnection> | undefined;

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
    const where = { connection, prefix: herald.config.queue.prefix };
    queue = new Queue('notifications-for-producers', where);
    events = new QueueEvents('notifications-for-producers', where);
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await events?.close();
    await queue?.close();
    if (connection instanceof Cluster) connection.disconnect();
    await herald?.close();
    await simulator?.stop();
  });

  it('delivers a valid job and returns {id, status, provider, providerMessageId}', async () => {
    const job = await queue.add('send', { ...SMS, idempotencyKey: 'producer-1' });
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
    const job = await queue.add(
      'send',
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
    await queue.add('send', { channel: 'nope' });
    const job = await queue.add('send', { ...SMS, text: 'after the bad one' });
    expect(await job.waitUntilFinished(events, WAIT_MS)).toMatchObject({ status: 'sent' });
  });

  it('treats idempotencyKey like the REST header: the same key is delivered once', async () => {
    const first = await queue.add('send', { ...SMS, idempotencyKey: 'producer-once' });
    const firstResult = await first.waitUntilFinished(events, WAIT_MS);
    const second = await queue.add('send', { ...SMS, idempotencyKey: 'producer-once' });
    const secondResult = await second.waitUntilFinished(events, WAIT_MS);
    expect(secondResult.id).toBe(firstResult.id);
    expect(simulator.messages({ notificationId: firstResult.id })).toHaveLength(1);
  });

  it('refuses another body under a used idempotencyKey, at once', async () => {
    await (
      await queue.add('send', { ...SMS, idempotencyKey: 'producer-reused' })
    ).waitUntilFinished(events, WAIT_MS);
    const other = await queue.add('send', {
      ...SMS,
      text: 'another body',
      idempotencyKey: 'producer-reused',
    });
    await expect(other.waitUntilFinished(events, WAIT_MS)).rejects.toThrow(/another body/);
  });

  it('deduplicates by jobId while BullMQ still holds the job, and by Herald’s store after', async () => {
    const data = { ...SMS, text: 'with a jobId', idempotencyKey: 'order-77' };
    const job = await queue.add('send', data, { jobId: 'order-77' });
    const duplicate = await queue.add('send', data, { jobId: 'order-77' });
    expect(duplicate.id).toBe(job.id);
    const result = await job.waitUntilFinished(events, WAIT_MS);

    await queue.remove('order-77');
    const afterRemoval = await queue.add('send', data, { jobId: 'order-77' });
    expect((await afterRemoval.waitUntilFinished(events, WAIT_MS)).id).toBe(result.id);
    expect(simulator.messages({ notificationId: result.id })).toHaveLength(1);
  });
});
