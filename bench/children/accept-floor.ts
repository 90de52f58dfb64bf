/**
 * The accept benchmark's floor: the least an HTTP intake in front of BullMQ can do. A bare
 * Fastify route that parses the same JSON body and does one `Queue.add`, nothing else: no
 * authentication, validation, idempotency or record. Run by bench/accept.ts as its own process.
 *
 * Environment: REDIS_URL, PREFIX, QUEUE_NAME, PORT.
 */
import { Queue } from 'bullmq';
import fastify from 'fastify';
import { Redis } from 'ioredis';

async function main(): Promise<void> {
  const env = process.env as Record<string, string>;
  const connection = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: 1 });
  const queue = new Queue(env.QUEUE_NAME!, { connection, prefix: env.PREFIX! });
  const app = fastify({ logger: false, bodyLimit: 256 * 1024 });

  app.post('/v1/notifications', async (request, reply) => {
    const job = await queue.add('send', request.body);
    void reply.code(202);
    return { id: job.id, status: 'queued' };
  });
  app.get('/health', async () => ({ status: 'ok' }));

  await app.listen({ port: Number(env.PORT), host: '127.0.0.1' });
  process.once('SIGTERM', () => {
    void (async () => {
      await app.close();
      await queue.close();
      connection.disconnect();
      process.exit(0);
    })();
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
