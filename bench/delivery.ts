/**
 * Delivery benchmark: how fast a Herald worker empties a backlog of e-mails, against a floor
 * measured in the same run on the same Redis with the same jobs — a plain BullMQ worker with
 * the same concurrency whose processor makes the same HTTP request to the simulator
 * (bench/children/plain-worker.ts, MODE=http).
 *
 * 20,000 `send` jobs (DESIGN §5) are added in bulk, as a producer with a backlog would, while
 * the worker is already waiting; the simulator's SendGrid answers after 20 ms; concurrency 50.
 *
 * Targets: Herald's delivered/s ≥ 0.8× the floor's, its worker's peak RSS ≤ 1.5× the floor's.
 *
 * BENCH_DELIVERY_MESSAGES (20000) shortens it; `--quick` (or BENCH_QUICK=1) runs 3,000 for a
 * smoke check. The last line printed is the JSON verdict (support/ratios.ts).
 */
import type { ProviderSimulator } from '../src/sandbox/provider-simulator';
import { startPlainWorker } from './support/floors';
import { readRecords, type RecordsSummary } from './support/herald-records';
import { CONCURRENCY, startHerald } from './support/herald';
import type { NodeProcess } from './support/processes';
import {
  enqueueAll,
  measureWorkerRun,
  withoutRows,
  type WorkerRunResult,
} from './support/queue-workload';
import { type RedisServer, startRedisServer } from './support/redis-server';
import { environment, printLoad, printTable, verdict, writeResults } from './support/report';
import { type BenchContext, runBenchmarks } from './support/runner';
import { startSimulator } from './support/simulator';
import { printRatios, quickMode } from './support/ratios';
import { ratio } from './support/stats';
import { BENCH_EMAIL, runPrefix } from './support/workload';

const QUICK = quickMode();
const MESSAGES = Number(process.env.BENCH_DELIVERY_MESSAGES ?? (QUICK ? 3_000 : 20_000));
const PROVIDER_LATENCY_MS = 20;
const TARGET_RATIO = 0.8;
const TARGET_RSS_RATIO = 1.5;

export async function deliveryBenchmark({ heraldMain }: BenchContext): Promise<void> {
  console.log(
    `\n== delivery: ${MESSAGES} queued e-mails, SendGrid answering after ${PROVIDER_LATENCY_MS} ms, concurrency ${CONCURRENCY} ==`,
  );
  const redis = await startRedisServer();
  const { simulator, url: simulatorUrl } = await startSimulator();
  try {
    simulator.setBehaviour('sendgrid', { mode: 'ok', latencyMs: PROVIDER_LATENCY_MS });
    const run = (label: string, start: (prefix: string) => Promise<NodeProcess>) =>
      measure(label, redis, simulator, start);

    const floor = await run('floor: BullMQ worker + HTTP POST', (prefix) =>
      startPlainWorker({
        mode: 'http',
        redisUrl: redis.url,
        prefix,
        simulatorUrl,
        profileLabel: 'delivery-floor',
      }),
    );
    const herald = await run('Herald (worker role)', async (prefix) => {
      const started = await startHerald({
        role: 'worker',
        main: heraldMain,
        redisUrl: redis.url,
        prefix,
        simulatorUrl,
        profileLabel: 'delivery-herald',
      });
      return started.process;
    });

    const deliveredRatio = ratio(herald.deliveredPerSecond, floor.deliveredPerSecond);
    const table = printTable(
      `delivery — ${MESSAGES} e-mails queued up front, provider latency ${PROVIDER_LATENCY_MS} ms, concurrency ${CONCURRENCY}`,
      [
        '',
        'delivered/s',
        'queue→delivered p50 ms',
        'p99 ms',
        'per-job p50 ms',
        'peak RSS MiB',
        'worker CPU ms/msg',
        'main thread busy %',
        'Redis CPU ms/msg',
        'Redis calls/msg',
        'failed',
      ],
      [floor, herald].map((r) => [
        r.label,
        r.deliveredPerSecond,
        r.queueToDeliveredMs.p50,
        r.queueToDeliveredMs.p99,
        r.processingMs.p50,
        r.workerPeakRssMiB,
        r.cpuMsPerMessage.worker,
        r.workerMainThreadBusyPercent,
        r.cpuMsPerMessage.redis,
        r.redisCallsPerMessage,
        r.messages - r.completed,
      ]),
    );
    printLoad([floor, herald]);
    const target = {
      measured: deliveredRatio,
      target: `≥ ${TARGET_RATIO}`,
      met: deliveredRatio >= TARGET_RATIO,
    };
    console.log(
      `Herald/floor delivered/s: ${deliveredRatio} (target ${target.target}: ${verdict(target.met)})`,
    );
    const rssRatio = ratio(herald.workerPeakRssMiB, floor.workerPeakRssMiB);
    const rssTarget = {
      measured: rssRatio,
      target: `≤ ${TARGET_RSS_RATIO}`,
      met: rssRatio <= TARGET_RSS_RATIO,
    };
    console.log(
      `Herald/floor peak RSS: ${rssRatio} (target ${rssTarget.target}: ${verdict(rssTarget.met)})`,
    );
    if (herald.records) {
      console.log(
        `Herald per-job p50 ${herald.processingMs.p50} ms, of which the SendGrid call (as Herald timed it) p50 ${herald.records.deliveringCallMs.p50} ms`,
      );
    }
    for (const r of [floor, herald]) {
      console.log(
        `${r.label} — Redis per message: ${r.topRedisCommands.map((c) => `${c.command} ${c.perMessage}`).join(', ')}`,
      );
    }
    writeResults('delivery', {
      benchmark: 'delivery',
      at: new Date().toISOString(),
      ...environment(redis.version),
      parameters: {
        messages: MESSAGES,
        providerLatencyMs: PROVIDER_LATENCY_MS,
        concurrency: CONCURRENCY,
        bodyBytes: JSON.stringify(BENCH_EMAIL).length,
      },
      runs: { floor: withoutRows(floor), herald: withoutRows(herald) },
      target,
      rssTarget,
      table,
    });
    printRatios('delivery', QUICK, [
      {
        name: 'deliveredPerSecondOverFloor',
        measured: deliveredRatio,
        target: TARGET_RATIO,
        better: 'higher',
      },
      { name: 'peakRssOverFloor', measured: rssRatio, target: TARGET_RSS_RATIO, better: 'lower' },
    ]);
  } finally {
    await simulator.stop();
    await redis.stop();
  }
}

interface DeliveryRun extends WorkerRunResult {
  /** Requests the simulator's SendGrid received during the run: one per message, no more. */
  readonly providerRequests: number;
  /** Herald only: what its records say (duration of the delivering provider call). */
  readonly records?: RecordsSummary;
}

async function measure(
  label: string,
  redis: RedisServer,
  simulator: ProviderSimulator,
  start: (prefix: string) => Promise<NodeProcess>,
): Promise<DeliveryRun> {
  const prefix = runPrefix('delivery');
  const worker = await start(prefix);
  try {
    const requestsBefore = simulator.requests('sendgrid');
    const result = await measureWorkerRun({
      label,
      redis,
      prefix,
      worker,
      messages: MESSAGES,
      enqueue: (queue) => enqueueAll(queue, MESSAGES, BENCH_EMAIL),
      timeoutMs: 180_000,
    });
    return {
      ...result,
      providerRequests: simulator.requests('sendgrid') - requestsBefore,
      ...(result.notificationIds.length > 0
        ? { records: await readRecords(redis, prefix, result.notificationIds) }
        : {}),
    };
  } finally {
    await worker.stop();
    await redis.deletePrefix(prefix);
  }
}

if (require.main === module) runBenchmarks([deliveryBenchmark]);
