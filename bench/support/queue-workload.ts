import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { cpuMs, mainThreadCpuMs, type NodeProcess, peakRssMiB, sleep } from './processes';
import type { RedisServer } from './redis-server';
import { loadAverage } from './report';
import { type Distribution, distribution } from './stats';
import { BENCH_QUEUE } from './workload';

/** A producer of `send` jobs (DESIGN §5), as another service would hold one. */
export interface Producer {
  readonly queue: Queue;
  close(): Promise<void>;
}

export function openProducer(redisUrl: string, prefix: string): Producer {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(BENCH_QUEUE, { connection, prefix });
  return {
    queue,
    close: async () => {
      await queue.close();
      connection.disconnect();
    },
  };
}

/** Adds `count` `send` jobs at once, in bulk, as a producer with a backlog would. */
export async function enqueueAll(queue: Queue, count: number, data: object): Promise<string[]> {
  const ids: string[] = [];
  for (let added = 0; added < count; added += 1_000) {
    const batch = Math.min(1_000, count - added);
    const jobs = await queue.addBulk(Array.from({ length: batch }, () => ({ name: 'send', data })));
    ids.push(...jobs.map((j) => j.id!));
  }
  return ids;
}

/**
 * Adds `count` `send` jobs keeping `outstanding` of them unfinished at any time, topping up as
 * jobs finish: a closed loop, as `outstanding` callers each sending one message after another.
 * The worker never has a backlog, so queue-to-delivered time is each message's own latency.
 */
export async function enqueueClosedLoop(
  queue: Queue,
  client: Redis,
  prefix: string,
  count: number,
  outstanding: number,
  data: object,
  onAdded: (added: number) => void = () => undefined,
): Promise<string[]> {
  const ids: string[] = [];
  const finishedKeys = [`${prefix}:${BENCH_QUEUE}:completed`, `${prefix}:${BENCH_QUEUE}:failed`];
  while (ids.length < count) {
    const [completed, failed] = await Promise.all(finishedKeys.map((k) => client.zcard(k)));
    const due = Math.min(count - ids.length, outstanding - (ids.length - completed! - failed!));
    if (due > 0) {
      const jobs = await queue.addBulk(Array.from({ length: due }, () => ({ name: 'send', data })));
      ids.push(...jobs.map((j) => j.id!));
      onAdded(ids.length);
    }
    await sleep(2);
  }
  return ids;
}

/**
 * Runs `messages` jobs of `data` through `worker` in a closed loop of `outstanding`, then forgets
 * them (BullMQ's finished sets emptied), so a measured run starts from a warm process and a
 * clean queue: V8 has compiled the hot paths before anything is timed.
 */
export async function warmUp(options: {
  readonly redis: RedisServer;
  readonly prefix: string;
  readonly worker: NodeProcess;
  readonly messages: number;
  readonly outstanding: number;
  readonly data: object;
}): Promise<void> {
  const { redis, prefix, messages } = options;
  const producer = openProducer(redis.url, prefix);
  try {
    await enqueueClosedLoop(
      producer.queue,
      redis.client,
      prefix,
      messages,
      options.outstanding,
      options.data,
    );
    await waitForFinished(redis.client, prefix, messages, 120_000, options.worker);
    await producer.queue.clean(0, 0, 'completed');
    await producer.queue.clean(0, 0, 'failed');
  } finally {
    await producer.close();
  }
}

/** One job's life, from BullMQ's own fields (milliseconds since the epoch). */
interface JobTiming {
  readonly timestamp: number;
  readonly processedOn: number;
  readonly finishedOn: number;
  readonly completed: boolean;
  readonly provider?: string;
  readonly notificationId?: string;
  /** Why BullMQ failed it, or what it answered instead of delivering. */
  readonly failure?: string;
}

/** What one worker run measured: the same figures for Herald, the floor and the peer. */
export interface WorkerRunResult {
  readonly label: string;
  readonly messages: number;
  readonly completed: number;
  readonly failed: number;
  /** First job queued → last job finished. */
  readonly wallMs: number;
  readonly deliveredPerSecond: number;
  /** Job queued (`timestamp`) → delivered (`finishedOn`), ms. */
  readonly queueToDeliveredMs: Distribution;
  /** Job taken by the worker (`processedOn`) → delivered, ms. */
  readonly processingMs: Distribution;
  /** Messages delivered through each provider. */
  readonly providers: Record<string, number>;
  readonly workerPeakRssMiB: number;
  /** Share of the run the worker's main thread (its event loop) was on a CPU: near 100, it is the bottleneck. */
  readonly workerMainThreadBusyPercent: number;
  /** CPU time per delivered message, ms: the worker, redis-server, and the benchmark process (simulator and producer). */
  readonly cpuMsPerMessage: { worker: number; redis: number; simulatorAndProducer: number };
  /** Redis commands per message (Lua scripts' inner calls included), and the most frequent. */
  readonly redisCallsPerMessage: number;
  readonly topRedisCommands: { command: string; perMessage: number }[];
  /** Every command Redis ran during the run, per message, most frequent first. */
  readonly redisCommands: { command: string; perMessage: number }[];
  readonly loadAverage: { before: number; after: number };
  /** Notification ids (Herald's job return value), for reading records afterwards. */
  readonly notificationIds: string[];
  readonly jobs: readonly JobTiming[];
}

/**
 * Feeds `worker` (already started and ready) with `enqueue`, waits until every job finished
 * and measures the run the same way whatever the worker is.
 */
export async function measureWorkerRun(options: {
  readonly label: string;
  readonly redis: RedisServer;
  readonly prefix: string;
  readonly worker: NodeProcess;
  readonly messages: number;
  readonly enqueue: (queue: Queue) => Promise<string[]>;
  readonly timeoutMs: number;
}): Promise<WorkerRunResult> {
  const { redis, worker, messages } = options;
  const producer = openProducer(redis.url, options.prefix);
  await producer.queue.waitUntilReady();
  const loadBefore = loadAverage();
  await redis.resetStats();
  const cpuBefore = {
    worker: cpuMs(worker.pid),
    workerMain: mainThreadCpuMs(worker.pid),
    redis: cpuMs(redis.pid),
    own: ownCpuMs(),
  };
  const started = Date.now();

  const ids = await options.enqueue(producer.queue);
  await waitForFinished(redis.client, options.prefix, messages, options.timeoutMs, worker);

  const elapsedMs = Date.now() - started;
  const cpu = {
    worker: cpuMs(worker.pid) - cpuBefore.worker,
    workerMain: mainThreadCpuMs(worker.pid) - cpuBefore.workerMain,
    redis: cpuMs(redis.pid) - cpuBefore.redis,
    own: ownCpuMs() - cpuBefore.own,
  };
  const commands = await redis.commandStats();
  const workerPeakRssMiB = peakRssMiB(worker.pid);
  const loadAfter = loadAverage();
  await producer.close();

  const jobs = await readJobs(redis.client, options.prefix, ids);
  const done = jobs.filter((j) => j.completed);
  const notDone = jobs.find((j) => !j.completed);
  if (notDone) {
    console.warn(
      `${options.label}: ${jobs.length - done.length} jobs not delivered; the first: ${notDone.failure ?? 'answered without delivering'}`,
    );
  }
  const first = Math.min(...jobs.map((j) => j.timestamp));
  const last = Math.max(...jobs.map((j) => j.finishedOn));
  const providers: Record<string, number> = {};
  for (const j of done) providers[j.provider ?? '?'] = (providers[j.provider ?? '?'] ?? 0) + 1;
  const totalCalls = commands.reduce((sum, c) => sum + c.calls, 0);
  const per = (n: number) => Math.round((n / messages) * 100) / 100;
  return {
    label: options.label,
    messages,
    completed: done.length,
    failed: jobs.length - done.length,
    wallMs: last - first,
    deliveredPerSecond: Math.round((done.length / (last - first)) * 1000),
    queueToDeliveredMs: distribution(done.map((j) => j.finishedOn - j.timestamp)),
    processingMs: distribution(done.map((j) => j.finishedOn - j.processedOn)),
    providers,
    workerPeakRssMiB,
    workerMainThreadBusyPercent: Math.round((cpu.workerMain / elapsedMs) * 100),
    cpuMsPerMessage: {
      worker: per(cpu.worker),
      redis: per(cpu.redis),
      simulatorAndProducer: per(cpu.own),
    },
    redisCallsPerMessage: per(totalCalls),
    topRedisCommands: commands
      .slice(0, 10)
      .map((c) => ({ command: c.command, perMessage: per(c.calls) })),
    redisCommands: commands.map((c) => ({ command: c.command, perMessage: per(c.calls) })),
    loadAverage: { before: loadBefore, after: loadAfter },
    notificationIds: done.map((j) => j.notificationId).filter((id): id is string => !!id),
    jobs,
  };
}

/** A run without its per-job rows, for the results file. */
export function withoutRows<R extends WorkerRunResult>(
  run: R,
): Omit<R, 'jobs' | 'notificationIds'> {
  const { jobs: _jobs, notificationIds: _ids, ...summary } = run;
  return summary;
}

function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function waitForFinished(
  client: Redis,
  prefix: string,
  count: number,
  timeoutMs: number,
  worker: NodeProcess,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  const key = (set: string) => `${prefix}:${BENCH_QUEUE}:${set}`;
  for (;;) {
    const [completed, failed] = await Promise.all([
      client.zcard(key('completed')),
      client.zcard(key('failed')),
    ]);
    if (completed + failed >= count) return;
    if (worker.child.exitCode !== null) {
      throw new Error(`${worker.name} exited during the run:\n${worker.output()}`);
    }
    if (Date.now() > until) {
      throw new Error(
        `${worker.name}: only ${completed} completed and ${failed} failed of ${count} within ${timeoutMs} ms:\n${worker.output()}`,
      );
    }
    await sleep(100);
  }
}

async function readJobs(client: Redis, prefix: string, ids: string[]): Promise<JobTiming[]> {
  const pipeline = client.pipeline();
  for (const id of ids) {
    pipeline.hmget(
      `${prefix}:${BENCH_QUEUE}:${id}`,
      'timestamp',
      'processedOn',
      'finishedOn',
      'returnvalue',
      'failedReason',
    );
  }
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([err, value]) => {
    if (err) throw err;
    const [timestamp, processedOn, finishedOn, returnvalue, failedReason] = value as (
      string | null
    )[];
    const returned = returnvalue
      ? (JSON.parse(returnvalue) as { provider?: string; id?: string; status?: string })
      : {};
    return {
      timestamp: Number(timestamp),
      processedOn: Number(processedOn),
      finishedOn: Number(finishedOn),
      // Herald answers {id, status, provider} (`sent` once a provider accepted an e-mail);
      // the floor and the peer answer {provider}.
      completed:
        !failedReason &&
        returnvalue !== null &&
        (returned.status === undefined ||
          returned.status === 'sent' ||
          returned.status === 'delivered'),
      ...(returned.provider ? { provider: returned.provider } : {}),
      ...(returned.id ? { notificationId: returned.id } : {}),
      ...(failedReason
        ? { failure: failedReason }
        : returnvalue === null
          ? { failure: 'no return value' }
          : {}),
    };
  });
}
