/**
 * Failover benchmark: what an outage of the primary e-mail provider costs. Three runs of the
 * same workload in one invocation, each on a fresh worker process (so a fresh breaker):
 *
 * 1. Herald, every provider healthy (SendGrid and Mailgun answer after 20 ms);
 * 2. Herald, SendGrid hanging from the start (every call waits for its 2 s deadline);
 * 3. the peer: notifme-sdk's `fallback` strategy over two custom providers calling the same
 *    simulator routes with the same 2 s deadline, in a plain BullMQ worker with the same
 *    concurrency (bench/children/plain-worker.ts, MODE=notifme), SendGrid hanging.
 *
 * 2,000 `send` jobs in a closed loop of 50 (a new job is added as soon as one finishes, as 50
 * callers sending one message after another: no backlog, so queue-to-delivered time is each
 * message's own latency), worker concurrency 50, deadline 2 s. The first 50 calls are in flight
 * when the outage bites, before any deadline can expire — the burst no breaker can stop. Herald
 * notices the hang from the age of those calls (its hang bound, derived from SendGrid's recent
 * latency) and fails them over before their deadline: the target is the hang run's p99 at most
 * 3× the healthy run's p99 (and at most 50 + the breaker's volume threshold (5) messages that
 * waited a full deadline).
 *
 * Each worker first handles 1,524 warm-up e-mails through a healthy SendGrid
 * (BENCH_FAILOVER_WARMUP), so V8 has compiled the hot paths and SendGrid has the normal latency
 * history a hang is judged against (a provider without one waits for its deadline). That is 500
 * more than the history Herald keeps (HANG_HISTORY_SIZE, 1,024 calls): the first calls of a new
 * process (cold code, new connections: several times the steady latency) have left it, so the
 * bound is judged by the latency of a worker in service, the one the healthy run measures.
 *
 * HERALD_HANG_LATENCY_FACTOR and HERALD_HANG_MIN_MS, when set, are passed on to Herald.
 *
 * `--quick` (or BENCH_QUICK=1): 600 messages and no peer run, about 10 s; for a smoke check of
 * the ratios. The warm-up stays whole: a shorter one leaves cold-start latencies in SendGrid's
 * history, which widens its hang bound. The last line printed is the JSON verdict (support/ratios.ts).
 *
 * BENCH_FAILOVER_MIDRUN=1 adds a fourth run where SendGrid starts hanging once a quarter of the
 * messages are queued, after the breaker has seen healthy traffic: the outage as it usually
 * begins. BENCH_FAILOVER_MESSAGES (2000) shortens it.
 */
import { HANG_HISTORY_SIZE } from '../src/delivery/provider-hang-detector';
import { startPlainWorker } from './support/floors';
import { readRecords, type RecordsSummary } from './support/herald-records';
import { type HangTimeline, hangTimeline } from './support/hang-timeline';
import { CONCURRENCY, DEADLINE_MS, startHerald } from './support/herald';
import type { NodeProcess } from './support/processes';
import {
  enqueueClosedLoop,
  measureWorkerRun,
  withoutRows,
  type WorkerRunResult,
  warmUp,
} from './support/queue-workload';
import { type RedisServer, startRedisServer } from './support/redis-server';
import { environment, printLoad, printTable, verdict, writeResults } from './support/report';
import { type BenchContext, runBenchmarks } from './support/runner';
import { startSimulator } from './support/simulator';
import { type BenchRatio, printRatios, quickMode } from './support/ratios';
import { type Distribution, ratio } from './support/stats';
import { BENCH_EMAIL, runPrefix } from './support/workload';

const QUICK = quickMode();
const MESSAGES = Number(process.env.BENCH_FAILOVER_MESSAGES ?? (QUICK ? 600 : 2_000));
const PROVIDER_LATENCY_MS = 20;
/** Herald's HERALD_BREAKER_VOLUME_THRESHOLD in these runs (its default). */
const VOLUME_THRESHOLD = 5;
const TARGET_P50_FACTOR = 1.5;
const TARGET_P99_FACTOR = 3;
const TARGET_PEER_FACTOR = 10;
const WARMUP_MESSAGES = Number(process.env.BENCH_FAILOVER_WARMUP ?? HANG_HISTORY_SIZE + 500);
const MIDRUN = process.env.BENCH_FAILOVER_MIDRUN === '1';

interface FailoverRun extends WorkerRunResult {
  /** Jobs whose processing took at least the deadline: measured alike for Herald and the peer. */
  readonly waitedFullDeadline: number;
  /** Herald only: what its records say (timeouts, duration of the delivering provider call). */
  readonly records?: RecordsSummary;
  /** Herald only: when the messages whose first call was abandoned as hung moved on. */
  readonly timeline?: HangTimeline;
}

export async function failoverBenchmark({ heraldMain }: BenchContext): Promise<void> {
  console.log(
    `\n== failover: ${MESSAGES} e-mails, ${CONCURRENCY} at a time, deadline ${DEADLINE_MS} ms ==`,
  );
  const redis = await startRedisServer();
  const { simulator, url: simulatorUrl } = await startSimulator();
  try {
    const heraldWorker = (label: string) => async (prefix: string) =>
      (
        await startHerald({
          role: 'worker',
          main: heraldMain,
          redisUrl: redis.url,
          prefix,
          simulatorUrl,
          env: { HERALD_BREAKER_VOLUME_THRESHOLD: String(VOLUME_THRESHOLD), ...hangSettings() },
          profileLabel: label,
        })
      ).process;
    const sendgrid = (mode: 'ok' | 'hang') => {
      simulator.setBehaviour('sendgrid', { mode, latencyMs: PROVIDER_LATENCY_MS });
      simulator.setBehaviour('mailgun', { mode: 'ok', latencyMs: PROVIDER_LATENCY_MS });
      simulator.setBehaviour('twilio', { mode: 'ok', latencyMs: PROVIDER_LATENCY_MS });
    };
    const run = (scenario: Scenario) => measure(redis, sendgrid, scenario);

    // Herald warms up on e-mail through a healthy SendGrid: its normal latency.
    const healthy = await run({
      label: 'Herald, providers healthy',
      start: heraldWorker('failover-healthy'),
      warmUpWith: BENCH_EMAIL,
      outage: 'never',
    });
    const outage = await run({
      label: 'Herald, SendGrid hanging',
      start: heraldWorker('failover-outage'),
      warmUpWith: BENCH_EMAIL,
      outage: 'from the start',
    });
    // The peer keeps no state between sends: it warms up on the e-mail too.
    const peer = QUICK
      ? undefined
      : await run({
          label: 'notifme-sdk fallback, SendGrid hanging',
          start: (prefix) =>
            startPlainWorker({
              mode: 'notifme',
              redisUrl: redis.url,
              prefix,
              simulatorUrl,
              profileLabel: 'failover-peer',
            }),
          warmUpWith: BENCH_EMAIL,
          outage: 'from the start',
        });
    const midRun = MIDRUN
      ? await run({
          label: 'Herald, SendGrid hanging from ¼ of the run',
          start: heraldWorker('failover-midrun'),
          warmUpWith: BENCH_EMAIL,
          outage: 'after a quarter',
        })
      : undefined;

    const runs = [healthy, outage, ...(peer ? [peer] : []), ...(midRun ? [midRun] : [])];
    const table = printTable(
      `failover — ${MESSAGES} e-mails, ${CONCURRENCY} at a time (closed loop), worker concurrency ${CONCURRENCY}, deadline ${DEADLINE_MS} ms, providers answering in ${PROVIDER_LATENCY_MS} ms`,
      [
        '',
        'waited full deadline',
        'queue→delivered p50 ms',
        'p99 ms',
        'per-job p50 ms',
        'delivered via',
        'wall s',
        'failed',
      ],
      runs.map((r) => [
        r.label,
        r.waitedFullDeadline,
        r.queueToDeliveredMs.p50,
        r.queueToDeliveredMs.p99,
        r.processingMs.p50,
        Object.entries(r.providers)
          .map(([p, n]) => `${p} ${n}`)
          .join(', '),
        Math.round(r.wallMs / 100) / 10,
        r.messages - r.completed,
      ]),
    );
    printLoad(runs);

    const allowed = CONCURRENCY + VOLUME_THRESHOLD;
    const p50Factor = ratio(outage.queueToDeliveredMs.p50, healthy.queueToDeliveredMs.p50);
    const p99Factor = ratio(outage.queueToDeliveredMs.p99, healthy.queueToDeliveredMs.p99);
    const peerFactor = peer
      ? ratio(peer.queueToDeliveredMs.p50, outage.queueToDeliveredMs.p50)
      : undefined;
    const targets = {
      waitedFullDeadline: {
        measured: outage.waitedFullDeadline,
        target: `≤ ${allowed} (in flight at the outage: ${CONCURRENCY} + volume threshold ${VOLUME_THRESHOLD})`,
        met: outage.waitedFullDeadline <= allowed,
      },
      p50VersusHealthy: {
        measured: p50Factor,
        target: `≤ ${TARGET_P50_FACTOR}× the healthy p50`,
        met: p50Factor <= TARGET_P50_FACTOR,
      },
      p99VersusHealthy: {
        measured: p99Factor,
        target: `≤ ${TARGET_P99_FACTOR}× the healthy p99`,
        met: p99Factor <= TARGET_P99_FACTOR,
      },
      ...(peerFactor === undefined
        ? {}
        : {
            p50VersusPeer: {
              measured: peerFactor,
              target: `peer's p50 ≥ ${TARGET_PEER_FACTOR}× Herald's`,
              met: peerFactor >= TARGET_PEER_FACTOR,
            },
          }),
    };
    const hung = outage.records?.abandonedAsHung;
    console.log(
      `waited a full deadline under outage: ${outage.waitedFullDeadline} (records with a timeout attempt: ${outage.records?.withTimeout}); target ${targets.waitedFullDeadline.target}: ${verdict(targets.waitedFullDeadline.met)}`,
    );
    console.log(
      `p50 outage/healthy: ${p50Factor}× (target ${targets.p50VersusHealthy.target}: ${verdict(targets.p50VersusHealthy.met)})`,
    );
    console.log(
      `p99 outage/healthy: ${p99Factor}× — ${outage.queueToDeliveredMs.p99} vs ${healthy.queueToDeliveredMs.p99} ms (target ${targets.p99VersusHealthy.target}: ${verdict(targets.p99VersusHealthy.met)})`,
    );
    console.log(
      hung && hung.waitedMs.count > 0
        ? `early failover: ${hung.waitedMs.count} calls abandoned as hung at a bound of ${hung.boundsMs.join(', ')} ms, after waiting p50 ${hung.waitedMs.p50} ms, at most ${hung.waitedMs.max} ms (deadline ${DEADLINE_MS} ms)`
        : `early failover: no call abandoned as hung (deadline ${DEADLINE_MS} ms)`,
    );
    const t = outage.timeline;
    if (t) {
      const phase = (d: Distribution) => `${d.p50}/${d.p99}/${d.max}`;
      console.log(
        `timeline of the ${t.messages} messages failed over as hung, ms after the onset (p50/p99/max): ` +
          `hung call began ${phase(t.hungCallBegan)}, abandoned ${phase(t.abandoned)}, ` +
          `next call began ${phase(t.nextCallBegan)}, answered ${phase(t.nextCallAnswered)}, ` +
          `job finished ${phase(t.finished)}`,
      );
    }
    if (targets.p50VersusPeer) {
      console.log(
        `p50 peer/Herald under outage: ${peerFactor}× (target ${targets.p50VersusPeer.target}: ${verdict(targets.p50VersusPeer.met)})`,
      );
    }

    writeResults('failover', {
      benchmark: 'failover',
      at: new Date().toISOString(),
      ...environment(redis.version),
      parameters: {
        messages: MESSAGES,
        outstanding: CONCURRENCY,
        concurrency: CONCURRENCY,
        deadlineMs: DEADLINE_MS,
        providerLatencyMs: PROVIDER_LATENCY_MS,
        breakerVolumeThreshold: VOLUME_THRESHOLD,
        bodyBytes: JSON.stringify(BENCH_EMAIL).length,
      },
      runs: {
        healthy: withoutRows(healthy),
        outage: withoutRows(outage),
        ...(peer ? { peer: withoutRows(peer) } : {}),
        ...(midRun ? { midRun: withoutRows(midRun) } : {}),
      },
      targets,
      earlyFailover: hung,
      table,
    });
    const ratios: BenchRatio[] = [
      {
        name: 'hangP99OverHealthyP99',
        measured: p99Factor,
        target: TARGET_P99_FACTOR,
        better: 'lower',
      },
      {
        name: 'hangP50OverHealthyP50',
        measured: p50Factor,
        target: TARGET_P50_FACTOR,
        better: 'lower',
      },
      ...(peerFactor === undefined
        ? []
        : [
            {
              name: 'peerP50OverHeraldP50',
              measured: peerFactor,
              target: TARGET_PEER_FACTOR,
              better: 'higher' as const,
            },
          ]),
    ];
    printRatios('failover', QUICK, ratios);
  } finally {
    await simulator.stop();
    await redis.stop();
  }
}

/** HERALD_HANG_* set in the benchmark's environment, passed on to Herald: to try other bounds. */
function hangSettings(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[0].startsWith('HERALD_HANG_') && e[1] !== undefined,
    ),
  );
}

interface Scenario {
  readonly label: string;
  readonly start: (prefix: string) => Promise<NodeProcess>;
  /** What the warm-up sends before the measured messages. */
  readonly warmUpWith: object;
  /** When SendGrid starts hanging: before the first measured message, or once a quarter are queued. */
  readonly outage: 'never' | 'from the start' | 'after a quarter';
}

/** One run on a fresh worker process: warm-up, then the measured messages. */
async function measure(
  redis: RedisServer,
  sendgrid: (mode: 'ok' | 'hang') => void,
  scenario: Scenario,
): Promise<FailoverRun> {
  const prefix = runPrefix('failover');
  sendgrid('ok');
  const worker = await scenario.start(prefix);
  try {
    await warmUp({
      redis,
      prefix,
      worker,
      messages: WARMUP_MESSAGES,
      outstanding: CONCURRENCY,
      data: scenario.warmUpWith,
    });
    if (scenario.outage === 'from the start') sendgrid('hang');
    let outageDue = scenario.outage === 'after a quarter';
    const result = await measureWorkerRun({
      label: scenario.label,
      redis,
      prefix,
      worker,
      messages: MESSAGES,
      enqueue: (queue) =>
        enqueueClosedLoop(
          queue,
          redis.client,
          prefix,
          MESSAGES,
          CONCURRENCY,
          BENCH_EMAIL,
          (added) => {
            if (outageDue && added >= MESSAGES / 4) {
              outageDue = false;
              sendgrid('hang');
            }
          },
        ),
      timeoutMs: 240_000,
    });
    const waitedFullDeadline = result.jobs.filter(
      (j) => j.completed && j.finishedOn - j.processedOn >= DEADLINE_MS,
    ).length;
    // Its times count from the run's first job: the hang's onset only when it hung from the start.
    const timeline =
      scenario.outage === 'from the start'
        ? await hangTimeline(redis, prefix, result.jobs)
        : undefined;
    return {
      ...result,
      waitedFullDeadline,
      ...(result.notificationIds.length > 0
        ? { records: await readRecords(redis, prefix, result.notificationIds) }
        : {}),
      ...(timeline ? { timeline } : {}),
    };
  } finally {
    sendgrid('ok');
    await worker.stop();
    await redis.deletePrefix(prefix);
  }
}

if (require.main === module) runBenchmarks([failoverBenchmark]);
