/**
 * Accept benchmark: how fast `POST /v1/notifications` accepts, against a floor measured in the
 * same run on the same Redis with the same body — a bare Fastify route that parses the JSON and
 * does one BullMQ `Queue.add` (bench/children/accept-floor.ts).
 *
 * autocannon, in this process: 50 connections, a warm-up (discarded), then 15 s; every request
 * carries the API key and a unique Idempotency-Key. Herald runs in the `api` role, logs at warn.
 * A third run sends the same receipt as a templated e-mail (`order-confirmation` + data), which
 * Herald renders at intake: its cost against the plain run is the cost of rendering. A fourth
 * posts the same e-mail 100 at a time to `POST /v1/notifications/batch` (each item with its own
 * idempotency key): its messages per second against the floor's single-message requests.
 *
 * BENCH_ACCEPT_SECONDS (15) and BENCH_ACCEPT_WARMUP_SECONDS (3) shorten it for a smoke run.
 */
import autocannon, { type AutocannonResult } from 'autocannon';
import { startAcceptFloor } from './support/floors';
import { startHerald } from './support/herald';
import { cpuMs, mainThreadCpuMs, type NodeProcess } from './support/processes';
import { type RedisServer, startRedisServer } from './support/redis-server';
import {
  environment,
  loadAverage,
  printLoad,
  printTable,
  verdict,
  writeResults,
} from './support/report';
import { type BenchContext, runBenchmarks } from './support/runner';
import { ratio } from './support/stats';
import {
  BENCH_API_KEY,
  BENCH_EMAIL,
  BENCH_QUEUE,
  BENCH_TEMPLATED_EMAIL,
  runPrefix,
} from './support/workload';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_ACCEPT_SECONDS ?? 15);
const WARMUP_SECONDS = Number(process.env.BENCH_ACCEPT_WARMUP_SECONDS ?? 3);
const TARGET_RATIO = 0.5;
const BATCH_SIZE = 100;
/**
 * Connections of the batch run: 50 × 100 items would keep 5,000 messages in flight, a hundred
 * times the single runs' 50; 5 keeps 500, the same order as theirs.
 */
const BATCH_CONNECTIONS = 5;
const SINGLE_PATH = '/v1/notifications';
/** Batch throughput (messages/s) against the floor's single-message requests per second. */
const TARGET_BATCH_RATIO = 1;
const TARGET_P99_FACTOR = 3;

interface AcceptRun {
  readonly label: string;
  /** Requests answered 2xx per second. */
  readonly acceptedPerSecond: number;
  /** Messages accepted per second: requests × the messages each carries. */
  readonly messagesPerSecond: number;
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number };
  readonly accepted: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Jobs the run left in the queue: must equal `accepted`. */
  readonly jobsQueued: number;
  readonly cpuMsPerRequest: { server: number; redis: number };
  /** Share of the run the server's main thread (its event loop) was on a CPU. */
  readonly serverMainThreadBusyPercent: number;
  readonly redisCallsPerRequest: number;
  readonly topRedisCommands: { command: string; perRequest: number }[];
  readonly loadAverage: { before: number; after: number };
}

export async function acceptBenchmark({ heraldMain }: BenchContext): Promise<void> {
  console.log(
    `\n== accept: POST /v1/notifications, ${CONNECTIONS} connections, ${SECONDS} s (+${WARMUP_SECONDS} s warm-up) ==`,
  );
  const redis = await startRedisServer();
  try {
    const floor = await measure('floor: Fastify + Queue.add', redis, async (prefix) =>
      startAcceptFloor({ redisUrl: redis.url, prefix }),
    );
    const startApi = (profileLabel: string) => async (prefix: string) =>
      startHerald({
        role: 'api',
        main: heraldMain,
        redisUrl: redis.url,
        prefix,
        // Not called: the api role only queues.
        simulatorUrl: 'http://127.0.0.1:9',
        profileLabel,
      });
    const herald = await measure('Herald (api role)', redis, startApi('accept-herald'));
    const templated = await measure(
      'Herald (api role), templated e-mail',
      redis,
      startApi('accept-herald-templated'),
      { body: BENCH_TEMPLATED_EMAIL },
    );
    const batch = await measure(
      `Herald (api role), batch of ${BATCH_SIZE}, ${BATCH_CONNECTIONS} connections`,
      redis,
      startApi('accept-herald-batch'),
      {
        path: '/v1/notifications/batch',
        body: {
          items: Array.from({ length: BATCH_SIZE }, (_, i) => ({
            ...BENCH_EMAIL,
            idempotencyKey: `bench-[<id>]-${i}`,
          })),
        },
        messagesPerRequest: BATCH_SIZE,
        connections: BATCH_CONNECTIONS,
      },
    );
    const runs = [floor, herald, templated, batch];

    const throughputRatio = ratio(herald.acceptedPerSecond, floor.acceptedPerSecond);
    const p99Factor = ratio(herald.latencyMs.p99, floor.latencyMs.p99);
    const table = printTable(
      `accept — ${CONNECTIONS} connections, ${SECONDS} s, same body, same Redis`,
      [
        '',
        'accepted/s',
        'messages/s',
        'p50 ms',
        'p99 ms',
        'CPU ms/req',
        'main thread busy %',
        'Redis CPU ms/req',
        'Redis calls/req',
        'non-2xx',
      ],
      runs.map((r) => [
        r.label,
        r.acceptedPerSecond,
        r.messagesPerSecond,
        r.latencyMs.p50,
        r.latencyMs.p99,
        r.cpuMsPerRequest.server,
        r.serverMainThreadBusyPercent,
        r.cpuMsPerRequest.redis,
        r.redisCallsPerRequest,
        r.non2xx + r.errors,
      ]),
    );
    printLoad(runs);
    const batchRatio = ratio(batch.messagesPerSecond, floor.acceptedPerSecond);
    const templatedRatio = ratio(templated.acceptedPerSecond, herald.acceptedPerSecond);
    const renderCpuMs =
      Math.round((templated.cpuMsPerRequest.server - herald.cpuMsPerRequest.server) * 1000) / 1000;
    const targets = {
      ratio: {
        measured: throughputRatio,
        target: `≥ ${TARGET_RATIO}`,
        met: throughputRatio >= TARGET_RATIO,
      },
      p99: {
        measured: p99Factor,
        target: `≤ ${TARGET_P99_FACTOR}× the floor's`,
        met: herald.latencyMs.p99 <= TARGET_P99_FACTOR * floor.latencyMs.p99,
      },
      batch: {
        measured: batchRatio,
        target: `≥ ${TARGET_BATCH_RATIO} (messages/s against the floor's requests/s)`,
        met: batchRatio >= TARGET_BATCH_RATIO,
      },
    };
    console.log(
      `Herald/floor accepted/s: ${throughputRatio} (target ${targets.ratio.target}: ${verdict(targets.ratio.met)})`,
    );
    console.log(
      `Herald/floor p99: ${p99Factor}× (target ${targets.p99.target}: ${verdict(targets.p99.met)})`,
    );
    console.log(
      `batch messages/s against the floor's accepted/s: ${batchRatio} (target ${targets.batch.target}: ${verdict(targets.batch.met)})`,
    );
    console.log(
      `templated/plain accepted/s: ${templatedRatio}; server CPU per request +${renderCpuMs} ms (rendering, data check, the larger stored record)`,
    );
    for (const r of runs) {
      console.log(
        `${r.label} — Redis per request: ${r.topRedisCommands.map((c) => `${c.command} ${c.perRequest}`).join(', ')}`,
      );
    }
    writeResults('accept', {
      benchmark: 'accept',
      at: new Date().toISOString(),
      ...environment(redis.version),
      parameters: {
        connections: CONNECTIONS,
        seconds: SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        bodyBytes: JSON.stringify(BENCH_EMAIL).length,
        templatedBodyBytes: JSON.stringify(BENCH_TEMPLATED_EMAIL).length,
        batchSize: BATCH_SIZE,
      },
      runs: { floor, herald, templated, batch },
      templated: { ratioToPlain: templatedRatio, extraServerCpuMsPerRequest: renderCpuMs },
      targets,
      table,
    });
  } finally {
    await redis.stop();
  }
}

/** Starts a server, warms it up, measures it, stops it and deletes its keys. */
async function measure(
  label: string,
  redis: RedisServer,
  start: (prefix: string) => Promise<{ process: NodeProcess; url: string }>,
  {
    path = SINGLE_PATH,
    body = BENCH_EMAIL,
    messagesPerRequest = 1,
    connections = CONNECTIONS,
  }: RequestShape = {},
): Promise<AcceptRun> {
  const shape = { path, body, connections };
  const prefix = runPrefix('accept');
  const server = await start(prefix);
  try {
    if (WARMUP_SECONDS > 0) await load(server.url, WARMUP_SECONDS, shape);
    const waitKey = `${prefix}:${BENCH_QUEUE}:wait`;
    const queuedBefore = await redis.client.llen(waitKey);
    const loadBefore = loadAverage();
    await redis.resetStats();
    const cpuBefore = {
      server: cpuMs(server.process.pid),
      serverMain: mainThreadCpuMs(server.process.pid),
      redis: cpuMs(redis.pid),
    };
    const result = await load(server.url, SECONDS, shape);
    const cpu = {
      server: cpuMs(server.process.pid) - cpuBefore.server,
      serverMain: mainThreadCpuMs(server.process.pid) - cpuBefore.serverMain,
      redis: cpuMs(redis.pid) - cpuBefore.redis,
    };
    const commands = await redis.commandStats();
    const jobsQueued = (await redis.client.llen(waitKey)) - queuedBefore;
    const requests = result.latency.totalCount;
    const per = (n: number) => Math.round((n / requests) * 1000) / 1000;
    return {
      label,
      acceptedPerSecond: Math.round(result['2xx'] / result.duration),
      messagesPerSecond: Math.round((result['2xx'] * messagesPerRequest) / result.duration),
      latencyMs: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
      accepted: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      jobsQueued,
      cpuMsPerRequest: { server: per(cpu.server), redis: per(cpu.redis) },
      serverMainThreadBusyPercent: Math.round((cpu.serverMain / (result.duration * 1000)) * 100),
      redisCallsPerRequest:
        Math.round((commands.reduce((s, c) => s + c.calls, 0) / requests) * 100) / 100,
      topRedisCommands: commands.slice(0, 8).map((c) => ({
        command: c.command,
        perRequest: Math.round((c.calls / requests) * 100) / 100,
      })),
      loadAverage: { before: loadBefore, after: loadAverage() },
    };
  } finally {
    await server.process.stop();
    await redis.deletePrefix(prefix);
  }
}

/** What one run posts: the route, the body, and how many messages each request carries. */
interface RequestShape {
  readonly path?: string;
  readonly body?: object;
  readonly messagesPerRequest?: number;
  readonly connections?: number;
}

async function load(
  url: string,
  seconds: number,
  { path, body, connections }: { path: string; body: object; connections: number },
): Promise<AutocannonResult> {
  return autocannon({
    url: `${url}${path}`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${BENCH_API_KEY}`,
      // A batch carries a key per item in its body instead.
      ...(path === SINGLE_PATH ? { 'idempotency-key': 'bench-[<id>]' } : {}),
    },
    body: JSON.stringify(body),
    idReplacement: true,
  });
}

if (require.main === module) runBenchmarks([acceptBenchmark]);
