/**
 * Memory benchmark: Redis memory per notification kept, everything included — the record, its
 * attempts, its idempotency key, the provider-message index, its entries in the listing
 * indexes, and whatever BullMQ keeps of its job under the production retention.
 *
 * Herald runs as production does (an `api` and a `worker` process, the default key prefix and
 * queue name, the simulator's SendGrid answering at once). A warm-up of 200 notifications is delivered first (so scripts, the
 * queue's own keys and the indexes exist), then Redis `used_memory` is read, 10,000 more are
 * accepted through `POST /v1/notifications/batch` (100 per request, each with its own
 * idempotency key) and delivered (record `sent`), and `used_memory` is read again: the
 * difference over 10,000 is the cost of one notification kept. Target: ≤ 2 KB (2,048 bytes).
 *
 * BENCH_MEMORY_NOTIFICATIONS (10000) shortens it for a smoke run.
 */
import { CONCURRENCY, startHerald } from './support/herald';
import { sleep } from './support/processes';
import { type RedisServer, startRedisServer } from './support/redis-server';
import { environment, printTable, verdict, writeResults } from './support/report';
import { type BenchContext, runBenchmarks } from './support/runner';
import { startSimulator } from './support/simulator';
import { BENCH_API_KEY, BENCH_EMAIL, BENCH_QUEUE } from './support/workload';

const NOTIFICATIONS = Number(process.env.BENCH_MEMORY_NOTIFICATIONS ?? 10_000);
const WARMUP = 200;
const BATCH = 100;
/** Batch requests in flight at once. */
const PARALLEL = 4;
const TARGET_BYTES = 2_048;
const TIMEOUT_MS = 300_000;

export async function memoryBenchmark({ heraldMain }: BenchContext): Promise<void> {
  console.log(
    `\n== memory: Redis used_memory per notification kept, ${NOTIFICATIONS} delivered e-mails ==`,
  );
  const redis = await startRedisServer();
  const { simulator, url: simulatorUrl } = await startSimulator();
  // Its own redis-server: the production default prefix, as key names are part of the cost.
  const prefix = 'herald';
  const started = await Promise.all(
    (['api', 'worker'] as const).map((role) =>
      startHerald({
        role,
        main: heraldMain,
        redisUrl: redis.url,
        prefix,
        simulatorUrl,
        profileLabel: `memory-${role}`,
      }),
    ),
  );
  const api = started[0]!;
  try {
    simulator.setBehaviour('sendgrid', { mode: 'ok', latencyMs: 0 });
    let sequence = 0;
    const deliver = async (count: number) => {
      const target = (await sentCount(redis, prefix)) + count;
      for (let sent = 0; sent < count; sent += BATCH * PARALLEL) {
        await Promise.all(
          Array.from({ length: Math.min(PARALLEL, Math.ceil((count - sent) / BATCH)) }, (_, i) =>
            postBatch(api.url, Math.min(BATCH, count - sent - i * BATCH), () => ++sequence),
          ),
        );
      }
      await waitFor(async () => (await sentCount(redis, prefix)) >= target, TIMEOUT_MS);
      // The worker's completion of the last jobs (and BullMQ's removal of finished ones) follows
      // the record's write by a moment.
      await waitFor(async () => (await activeJobs(redis, prefix)) === 0, TIMEOUT_MS);
    };

    await deliver(WARMUP);
    const before = await usedMemory(redis);
    await deliver(NOTIFICATIONS);
    const after = await usedMemory(redis);
    const perNotification = Math.round((after - before) / NOTIFICATIONS);
    const parts = await breakdown(redis, prefix, WARMUP + NOTIFICATIONS);

    const table = printTable(
      `memory — Redis used_memory per notification kept (${NOTIFICATIONS} delivered e-mails, concurrency ${CONCURRENCY})`,
      ['', 'bytes per notification'],
      [
        ['used_memory delta / notifications', perNotification],
        ...parts.map((p) => [`  of which ${p.label} (MEMORY USAGE)`, p.bytes] as [string, number]),
      ],
    );
    const target = {
      measured: perNotification,
      target: `≤ ${TARGET_BYTES} bytes`,
      met: perNotification <= TARGET_BYTES,
    };
    console.log(
      `Redis per notification kept: ${perNotification} bytes (target ${target.target}: ${verdict(target.met)})`,
    );
    writeResults('memory', {
      benchmark: 'memory',
      at: new Date().toISOString(),
      ...environment(redis.version),
      parameters: {
        notifications: NOTIFICATIONS,
        warmup: WARMUP,
        bodyBytes: JSON.stringify(BENCH_EMAIL).length,
      },
      usedMemory: { before, after },
      breakdown: parts,
      target,
      table,
    });
  } finally {
    await Promise.all(started.map((h) => h.process.stop()));
    await simulator.stop();
    await redis.stop();
  }
}

/** Tries of a batch Herald answered 503 (a busy machine can make Redis miss its deadline). */
const BATCH_TRIES = 5;

async function postBatch(url: string, count: number, next: () => number): Promise<void> {
  const items = Array.from({ length: count }, () => ({
    ...BENCH_EMAIL,
    idempotencyKey: `memory-${next()}`,
  }));
  for (let tried = 1; ; tried++) {
    const answer = await fetch(`${url}/v1/notifications/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_KEY}` },
      body: JSON.stringify({ items }),
    });
    const body = (await answer.json()) as { results?: { status: number }[] };
    const accepted = body.results?.filter((r) => r.status === 202).length ?? 0;
    if (answer.status === 200 && accepted === count) return;
    // Each item has its idempotency key, so sending the batch again accepts each once.
    if (answer.status !== 503 || tried === BATCH_TRIES) {
      throw new Error(
        `batch answered ${answer.status} with ${accepted}/${count} accepted: ${JSON.stringify(body).slice(0, 300)}`,
      );
    }
    await sleep(1_000);
  }
}

/** Records a provider accepted (the `sent` status index across callers). */
function sentCount(redis: RedisServer, prefix: string): Promise<number> {
  return redis.client.zcard(`${prefix}:nidx:all:s:sent`);
}

async function activeJobs(redis: RedisServer, prefix: string): Promise<number> {
  const base = `${prefix}:${BENCH_QUEUE}`;
  const [wait, active] = await Promise.all([
    redis.client.llen(`${base}:wait`),
    redis.client.llen(`${base}:active`),
  ]);
  return wait + active;
}

async function usedMemory(redis: RedisServer): Promise<number> {
  const info = await redis.client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

/** Where the bytes are: MEMORY USAGE of each kind of key, per notification. */
async function breakdown(
  redis: RedisServer,
  prefix: string,
  notifications: number,
): Promise<{ label: string; bytes: number }[]> {
  const kinds: [string, RegExp][] = [
    ['record hash', new RegExp(`^${prefix}:ntf:[^:]+$`)],
    ['attempts', new RegExp(`^${prefix}:ntf:[^:]+:attempts$`)],
    ['other record keys', new RegExp(`^${prefix}:ntf:[^:]+:.+$`)],
    ['idempotency keys', new RegExp(`^${prefix}:idem:`)],
    ['provider message ids', new RegExp(`^${prefix}:pmid:`)],
    ['listing indexes', new RegExp(`^${prefix}:nidx:`)],
    ['BullMQ', new RegExp(`^${prefix}:${BENCH_QUEUE}:`)],
  ];
  const totals = new Map<string, number>(kinds.map(([label]) => [label, 0]));
  const stream = redis.client.scanStream({ match: `${prefix}:*`, count: 1_000 });
  for await (const keys of stream as AsyncIterable<string[]>) {
    const pipeline = redis.client.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    const sizes = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const kind = kinds.find(([, pattern]) => pattern.test(key));
      const label = kind?.[0] ?? 'other';
      totals.set(label, (totals.get(label) ?? 0) + Number(sizes[i]?.[1] ?? 0));
    });
  }
  return [...totals]
    .filter(([, bytes]) => bytes > 0)
    .map(([label, bytes]) => ({ label, bytes: Math.round(bytes / notifications) }));
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the notifications');
    await sleep(100);
  }
}

if (require.main === module) runBenchmarks([memoryBenchmark]);
