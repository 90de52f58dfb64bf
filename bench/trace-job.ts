/**
 * Every Redis command one queued `send` job causes, in order, with Redis's own timestamps: the
 * way to count a job's sequential round trips (a gap of a few hundred µs between two commands
 * from the worker is one) and its Redis calls, before and after a change to the delivery path.
 *
 *   node -r ts-node/register/transpile-only bench/trace-job.ts
 *
 * Herald's worker runs as the delivery benchmark runs it (compiled, its own redis-server, the
 * simulator's SendGrid answering after 20 ms). Three jobs warm it up (caches filled, scripts
 * loaded) before the traced one is added; long arguments are cut to 60 characters.
 */
import { Redis } from 'ioredis';
import { buildForBench } from './support/build';
import { startHerald } from './support/herald';
import { sleep, stopAll } from './support/processes';
import { enqueueAll, openProducer } from './support/queue-workload';
import { startRedisServer } from './support/redis-server';
import { startSimulator } from './support/simulator';
import { BENCH_EMAIL, runPrefix } from './support/workload';

const ARGUMENT_CHARS = 60;

async function main(): Promise<void> {
  const { heraldMain } = buildForBench(process.env.BENCH_HERALD_SRC);
  const redis = await startRedisServer();
  const { simulator, url } = await startSimulator();
  try {
    simulator.setBehaviour('sendgrid', { mode: 'ok', latencyMs: 20 });
    const prefix = runPrefix('trace');
    const herald = await startHerald({
      role: 'worker',
      main: heraldMain,
      redisUrl: redis.url,
      prefix,
      simulatorUrl: url,
      profileLabel: 'trace-job',
    });
    const producer = openProducer(redis.url, prefix);
    await enqueueAll(producer.queue, 3, BENCH_EMAIL);
    await sleep(1_500);
    const monitor = await new Redis(redis.url).monitor();
    const lines: string[] = [];
    monitor.on('monitor', (time: string, args: string[]) => {
      const shown = args.map((a) =>
        a.length > ARGUMENT_CHARS ? `${a.slice(0, ARGUMENT_CHARS)}…` : a,
      );
      lines.push(`${time} ${shown.join(' ')}`);
    });
    await sleep(200);
    await enqueueAll(producer.queue, 1, BENCH_EMAIL);
    await sleep(1_500);
    monitor.disconnect();
    process.stdout.write(`${lines.join('\n')}\n${lines.length} commands\n`);
    await producer.close();
    await herald.process.stop();
  } finally {
    await simulator.stop();
    await redis.stop();
  }
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => void stopAll().then(() => process.exit()));
