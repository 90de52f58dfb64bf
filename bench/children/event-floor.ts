/**
 * The event-ingestion benchmark's floor: the least a webhook receiver in front of Redis can do.
 * A bare Fastify route that takes the same raw body, parses it as JSON and does one Redis write
 * (the event id, SET NX with a TTL), nothing else: no signature check, no replay cache, no
 * record. Run by bench/provider-events.ts as its own process.
 *
 * Environment: REDIS_URL, PREFIX, PORT.
 */
import fastify from 'fastify';
import { Redis } from 'ioredis';

async function main(): Promise<void> {
  const env = process.env as Record<string, string>;
  const redis = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: 1 });
  const app = fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/v1/provider-events/mailgun', async (request) => {
    const event = JSON.parse((request.body as Buffer).toString('utf8')) as {
      'event-data': { id: string };
    };
    await redis.set(`${env.PREFIX}:evt:${event['event-data'].id}`, '1', 'EX', 3600, 'NX');
    return { received: true };
  });
  app.get('/health', async () => ({ status: 'ok' }));

  await app.listen({ port: Number(env.PORT), host: '127.0.0.1' });
  process.once('SIGTERM', () => {
    void (async () => {
      await app.close();
      redis.disconnect();
      process.exit(0);
    })();
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
