/**
 * A producer in another service: adds one `send` job to Herald's queue, waits for its outcome,
 * prints it and closes every connection, so the process exits.
 *
 *   npm run example:producer          # reads REDIS_URL from .env or the environment
 *
 * Point REDIS_URL at the Redis your Herald uses (the one its first log line names); the queue
 * name and key prefix below are Herald's defaults (HERALD_QUEUE_NAME, HERALD_REDIS_PREFIX).
 */
import { Queue, QueueEvents } from 'bullmq';
import IORedis from 'ioredis';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const queueName = process.env.HERALD_QUEUE_NAME ?? 'herald-notifications';
const prefix = process.env.HERALD_REDIS_PREFIX ?? 'herald';

async function main(): Promise<void> {
  // BullMQ's blocking reads need maxRetriesPerRequest: null; QueueEvents blocks, so it gets its own.
  const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const eventsConnection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection, prefix });
  const events = new QueueEvents(queueName, { connection: eventsConnection, prefix });
  try {
    await events.waitUntilReady();
    const job = await queue.add('send', {
      channel: 'email',
      to: ['ada@example.com'],
      from: 'ops@example.com',
      subject: 'Hi',
      text: 'Hello from a producer',
      // Same key, same message: Herald sends it once however often this script runs.
      idempotencyKey: `welcome-${new Date().toISOString().slice(0, 10)}`,
    });
    // { id, status: 'sent', provider, providerMessageId }; throws with Herald's reason if it failed.
    const result: unknown = await job.waitUntilFinished(events, 30_000);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await events.close();
    await queue.close();
    connection.disconnect();
    eventsConnection.disconnect();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
