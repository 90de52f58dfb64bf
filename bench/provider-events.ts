/**
 * Event-ingestion benchmark: how fast `POST /v1/provider-events/mailgun` takes genuine signed
 * events, against a floor measured in the same run on the same Redis with the same requests —
 * a bare Fastify route that parses the body and does one Redis write
 * (bench/children/event-floor.ts).
 *
 * First a Herald worker sends BENCH_EVENTS_NOTIFICATIONS (500) e-mails through Mailgun (the
 * simulator), so each has a record and a provider message id; then autocannon, in this process,
 * posts Mailgun `delivered` events for them from 50 connections: a warm-up (discarded), then
 * 15 s. Every request is built as Mailgun builds it (the simulator's own builder): a fresh
 * token, timestamp and HMAC signature and a unique event id, so none is a replay or a
 * duplicate. Herald runs in the `api` role, logs at warn; it verifies each signature, checks
 * the token against replays, stores the event on its record (de-duplicated by its id) and
 * counts it for the status page's rates.
 *
 * BENCH_EVENTS_SECONDS (15) and BENCH_EVENTS_WARMUP_SECONDS (3) shorten it for a smoke run.
 */
import autocannon, { type AutocannonResult } from 'autocannon';
import { SANDBOX_MAILGUN_WEBHOOK_SIGNING_KEY } from '../src/config/sandbox-credentials';
import type { CapturedMessage } from '../src/sandbox/captured-message';
import { mailgunEvent } from '../src/sandbox/events/mailgun-events';
import { startEventFloor } from './support/floors';
import { startHerald } from './support/herald';
import { cpuMs, mainThreadCpuMs, type NodeProcess, sleep } from './support/processes';
import { enqueueAll, openProducer } from './support/queue-workload';
import { type RedisServer, startRedisServer } from './support/redis-server';
import { environment, loadAverage, printLoad, printTable, writeResults } from './support/report';
import { type BenchContext, runBenchmarks } from './support/runner';
import { startSimulator } from './support/simulator';
import { ratio } from './support/stats';
import { BENCH_EMAIL, BENCH_QUEUE, runPrefix } from './support/workload';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_EVENTS_SECONDS ?? 15);
const WARMUP_SECONDS = Number(process.env.BENCH_EVENTS_WARMUP_SECONDS ?? 3);
const NOTIFICATIONS = Number(process.env.BENCH_EVENTS_NOTIFICATIONS ?? 500);
const PATH = '/v1/provider-events/mailgun';
const SIGNING_KEY = SANDBOX_MAILGUN_WEBHOOK_SIGNING_KEY;

interface EventRun {
  readonly label: string;
  /** Requests (one event each) answered 2xx per second. */
  readonly eventsPerSecond: number;
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number };
  readonly acknowledged: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Herald only: events it counted `applied` during the run (must equal `acknowledged`). */
  readonly applied?: number;
  readonly cpuMsPerRequest: { server: number; redis: number };
  readonly serverMainThreadBusyPercent: number;
  readonly redisCallsPerRequest: number;
  readonly topRedisCommands: { command: string; perRequest: number }[];
  readonly loadAverage: { before: number; after: number };
}

export async function providerEventsBenchmark({ heraldMain }: BenchContext): Promise<void> {
  console.log(
    `\n== provider events: POST ${PATH}, ${CONNECTIONS} connections, ${SECONDS} s (+${WARMUP_SECONDS} s warm-up) ==`,
  );
  const redis = await startRedisServer();
  const { simulator, url: simulatorUrl } = await startSimulator();
  const prefix = runPrefix('events');
  try {
    const env = {
      HERALD_EMAIL_PROVIDERS: 'mailgun',
      MAILGUN_WEBHOOK_SIGNING_KEY: SIGNING_KEY,
    };
    await seed(redis, prefix, heraldMain, simulatorUrl, env);
    const messages = simulator.messages({ provider: 'mailgun' });
    if (messages.length !== NOTIFICATIONS) {
      throw new Error(`seeding: ${messages.length} e-mails reached Mailgun, not ${NOTIFICATIONS}`);
    }
    const floor = await measure('floor: Fastify + one Redis write', redis, messages, () =>
      startEventFloor({ redisUrl: redis.url, prefix: `${prefix}-floor` }),
    );
    const herald = await measure('Herald (api role)', redis, messages, () =>
      startHerald({
        role: 'api',
        main: heraldMain,
        redisUrl: redis.url,
        prefix,
        simulatorUrl,
        profileLabel: 'events-herald',
        env,
      }),
    );
    const runs = [floor, herald];
    const throughputRatio = ratio(herald.eventsPerSecond, floor.eventsPerSecond);
    const p99Factor = ratio(herald.latencyMs.p99, floor.latencyMs.p99);
    const table = printTable(
      `provider events — ${CONNECTIONS} connections, ${SECONDS} s, signed Mailgun events, same Redis`,
      [
        '',
        'events/s',
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
        r.eventsPerSecond,
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
    // No target is set for ingestion yet: the ratio is reported, to be watched across changes.
    console.log(`Herald/floor events/s: ${throughputRatio}`);
    console.log(`Herald/floor p99: ${p99Factor}×`);
    // A run ends with up to one request per connection in flight: Herald applies it, autocannon
    // no longer counts its answer (and the warm-up's last ones land in the measured run).
    const applied = herald.applied ?? 0;
    const consistent =
      applied >= herald.acknowledged && applied <= herald.acknowledged + 2 * CONNECTIONS;
    console.log(
      `Herald applied ${applied} events for ${herald.acknowledged} acknowledged` +
        (consistent ? ' (the rest: answers cut off at the end of a run)' : ' — MISMATCH'),
    );
    for (const r of runs) {
      console.log(
        `${r.label} — Redis per request: ${r.topRedisCommands.map((c) => `${c.command} ${c.perRequest}`).join(', ')}`,
      );
    }
    writeResults('provider-events', {
      benchmark: 'provider-events',
      at: new Date().toISOString(),
      ...environment(redis.version),
      parameters: {
        connections: CONNECTIONS,
        seconds: SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        notifications: NOTIFICATIONS,
        scheme: 'mailgun HMAC-SHA256',
      },
      runs: { floor, herald },
      ratios: { eventsPerSecond: throughputRatio, p99: p99Factor },
      table,
    });
  } finally {
    await simulator.stop();
    await redis.deletePrefix(prefix);
    await redis.stop();
  }
}

/**
 * Has a Herald worker send {@link NOTIFICATIONS} e-mails through Mailgun, as a producer's jobs:
 * each one's message id (which the simulator captured) is then indexed to its record.
 */
async function seed(
  redis: RedisServer,
  prefix: string,
  heraldMain: string,
  simulatorUrl: string,
  env: Record<string, string>,
): Promise<void> {
  const worker = await startHerald({
    role: 'worker',
    main: heraldMain,
    redisUrl: redis.url,
    prefix,
    simulatorUrl,
    profileLabel: 'events-seed-worker',
    env,
  });
  const producer = openProducer(redis.url, prefix);
  try {
    await enqueueAll(producer.queue, NOTIFICATIONS, BENCH_EMAIL);
    const completed = `${prefix}:${BENCH_QUEUE}:completed`;
    const deadline = Date.now() + 120_000;
    while ((await redis.client.zcard(completed)) < NOTIFICATIONS) {
      if (Date.now() > deadline) throw new Error(`seeding: not every e-mail was sent in 120 s`);
      await sleep(50);
    }
  } finally {
    await producer.close();
    await worker.process.stop();
  }
}

/** Starts a server, warms it up, measures it and stops it. */
async function measure(
  label: string,
  redis: RedisServer,
  messages: readonly CapturedMessage[],
  start: () => Promise<{ process: NodeProcess; url: string }>,
): Promise<EventRun> {
  const server = await start();
  try {
    if (WARMUP_SECONDS > 0) await load(server.url, WARMUP_SECONDS, messages);
    const appliedBefore = await appliedEvents(server.url);
    const loadBefore = loadAverage();
    await redis.resetStats();
    const cpuBefore = {
      server: cpuMs(server.process.pid),
      serverMain: mainThreadCpuMs(server.process.pid),
      redis: cpuMs(redis.pid),
    };
    const result = await load(server.url, SECONDS, messages);
    const cpu = {
      server: cpuMs(server.process.pid) - cpuBefore.server,
      serverMain: mainThreadCpuMs(server.process.pid) - cpuBefore.serverMain,
      redis: cpuMs(redis.pid) - cpuBefore.redis,
    };
    const commands = await redis.commandStats();
    const appliedAfter = await appliedEvents(server.url);
    const requests = result.latency.totalCount;
    const per = (n: number) => Math.round((n / requests) * 1000) / 1000;
    return {
      label,
      eventsPerSecond: Math.round(result['2xx'] / result.duration),
      latencyMs: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
      },
      acknowledged: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      ...(appliedAfter === undefined || appliedBefore === undefined
        ? {}
        : { applied: appliedAfter - appliedBefore }),
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
  }
}

/** Herald's `herald_provider_events_total{verdict="applied"}`; undefined for the floor. */
async function appliedEvents(url: string): Promise<number | undefined> {
  const res = await fetch(`${url}/metrics`).catch(() => undefined);
  if (!res?.ok) return undefined;
  const match = /^herald_provider_events_total\{[^}]*verdict="applied"[^}]*\} (\d+)/m.exec(
    await res.text(),
  );
  return match ? Number(match[1]) : 0;
}

/**
 * Posts signed `delivered` events round-robin over `messages` from {@link CONNECTIONS}
 * connections; each request is built (signed) just before it is sent.
 */
async function load(
  url: string,
  seconds: number,
  messages: readonly CapturedMessage[],
): Promise<AutocannonResult> {
  let next = 0;
  return autocannon({
    url: `${url}${PATH}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: PATH,
        setupRequest: (request) => {
          const message = messages[next++ % messages.length]!;
          const event = mailgunEvent(
            { message, event: { kind: 'delivered', recipient: message.to[0]! }, url },
            SIGNING_KEY,
          );
          const { headers, body } = event.build() as {
            headers: Record<string, string>;
            body: string;
          };
          return { ...request, headers: { ...headers }, body };
        },
      },
    ],
  });
}

if (require.main === module) runBenchmarks([providerEventsBenchmark]);
