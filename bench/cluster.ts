/**
 * Cluster benchmark: accept and delivery on a three-master Redis Cluster against the same
 * benchmark on one Redis, in the same run, and how evenly the cluster's masters share the work.
 *
 * For each Redis (one redis-server, then three masters with HERALD_QUEUE_SHARDS from
 * BENCH_QUEUE_SHARDS, default 6): a Herald `api` process accepts BENCH_CLUSTER_MESSAGES
 * (10,000) e-mails from autocannon (50 connections, each request with its own Idempotency-Key,
 * after a warm-up of 1,000), with no worker running; then a Herald `worker` process (concurrency
 * 50, SendGrid answering after 20 ms) delivers them all. Redis CPU per master (INFO cpu,
 * used_cpu_sys + used_cpu_user, before and after each phase) says where the work went.
 *
 * Targets: per master, CPU within 25 % of each other in each phase (the busiest master at most
 * 1.25× the idlest), i.e. nothing serialises on one slot. The ratios against one Redis are
 * reported, not judged: on one machine the cluster shares the same cores (three redis-servers
 * and their cluster bus), so it cannot be faster; it may not be much slower.
 *
 * Until Herald spreads its keys over slots (sharded queues, one hash tag per notification),
 * every key sits in the prefix's one slot and one master does all the work: that is the
 * figure this benchmark reports then.
 */
import autocannon, { type AutocannonResult } from 'autocannon';
import type { Redis } from 'ioredis';
import type { ProviderSimulator } from '../src/sandbox/provider-simulator';
import { startHerald } from './support/herald';
import type { NodeProcess } from './support/processes';
import {
  CLUSTER_QUEUE_SHARDS,
  CLUSTER_PREFIX,
  redisCalls,
  redisCpuMs,
  startBenchCluster,
} from './support/redis-cluster';
import { startRedisServer } from './support/redis-server';
import { environment, loadAverage, printTable, verdict, writeResults } from './support/report';
import { type BenchContext, runBenchmarks } from './support/runner';
import { startSimulator } from './support/simulator';
import { ratio } from './support/stats';
import { BENCH_API_KEY, BENCH_EMAIL, runPrefix } from './support/workload';

const MESSAGES = Number(process.env.BENCH_CLUSTER_MESSAGES ?? 10_000);
const WARMUP = Number(process.env.BENCH_CLUSTER_WARMUP ?? 1_000);
const CONNECTIONS = 50;
const PROVIDER_LATENCY_MS = 20;
/** The busiest master's CPU over the idlest's, at most. */
const TARGET_SPREAD = 1.25;
const DELIVERY_TIMEOUT_MS = 600_000;

/** The Redis one run measures: its masters' connections and how Herald reaches it. */
interface Target {
  readonly label: string;
  readonly masters: readonly Redis[];
  readonly herald: { redisUrl: string; clusterNodes?: string; prefix: string };
  readonly env: Record<string, string>;
}

/** One phase (accept or deliver) of one run. */
interface Phase {
  readonly perSecond: number;
  readonly seconds: number;
  /** Redis CPU of each master during the phase, ms. */
  readonly masterCpuMs: number[];
  /** Redis calls of each master during the phase. */
  readonly masterCalls: number[];
  /** Busiest master's CPU over the idlest's. */
  readonly spread: number;
}

interface Run {
  readonly label: string;
  readonly accept: Phase & { p50Ms: number; p99Ms: number; non2xx: number };
  readonly deliver: Phase;
  readonly loadAverage: { before: number; after: number };
}

export async function clusterBenchmark({ heraldMain }: BenchContext): Promise<void> {
  console.log(
    `\n== cluster: ${MESSAGES} e-mails accepted then delivered, one Redis against 3 masters (HERALD_QUEUE_SHARDS=${CLUSTER_QUEUE_SHARDS}) ==`,
  );
  const { simulator, url: simulatorUrl } = await startSimulator();
  simulator.setBehaviour('sendgrid', { mode: 'ok', latencyMs: PROVIDER_LATENCY_MS });
  try {
    const single = await startRedisServer();
    let one: Run;
    try {
      one = await measure(heraldMain, simulator, simulatorUrl, {
        label: 'one Redis',
        masters: [single.client],
        herald: { redisUrl: single.url, prefix: runPrefix('cluster') },
        env: {},
      });
    } finally {
      await single.stop();
    }
    const cluster = await startBenchCluster();
    const masters = cluster.masters.map((m) => cluster.connect(m));
    let three: Run;
    try {
      three = await measure(heraldMain, simulator, simulatorUrl, {
        label: `3 masters, ${CLUSTER_QUEUE_SHARDS} queue shards`,
        masters,
        herald: {
          redisUrl: '',
          clusterNodes: cluster.seeds,
          prefix: CLUSTER_PREFIX,
        },
        env: { HERALD_QUEUE_SHARDS: CLUSTER_QUEUE_SHARDS },
      });
    } finally {
      for (const m of masters) m.disconnect();
      await cluster.stop();
    }

    const table = printTable(
      `cluster — ${MESSAGES} e-mails, ${CONNECTIONS} connections, worker concurrency 50, provider latency ${PROVIDER_LATENCY_MS} ms`,
      [
        '',
        'accepted/s',
        'accept p50 ms',
        'accept p99 ms',
        'delivered/s',
        'Redis CPU ms per master, accept',
        'spread',
        'Redis CPU ms per master, delivery',
        'spread',
        'non-2xx',
      ],
      [one, three].map((r) => [
        r.label,
        r.accept.perSecond,
        r.accept.p50Ms,
        r.accept.p99Ms,
        r.deliver.perSecond,
        r.accept.masterCpuMs.join(' / '),
        r.accept.spread,
        r.deliver.masterCpuMs.join(' / '),
        r.deliver.spread,
        r.accept.non2xx,
      ]),
    );
    console.log(
      `load average (1 min): ${[one, three].map((r) => `${r.label} ${r.loadAverage.before} → ${r.loadAverage.after}`).join('; ')}`,
    );
    const acceptRatio = ratio(three.accept.perSecond, one.accept.perSecond);
    const deliverRatio = ratio(three.deliver.perSecond, one.deliver.perSecond);
    console.log(
      `cluster/one Redis: accepted/s ${acceptRatio}, delivered/s ${deliverRatio}; Redis calls per master, accept ${three.accept.masterCalls.join(' / ')}, delivery ${three.deliver.masterCalls.join(' / ')}`,
    );
    const spreadTarget = (phase: Phase) => ({
      measured: phase.spread,
      target: `≤ ${TARGET_SPREAD}`,
      met: phase.spread <= TARGET_SPREAD,
    });
    const targets = {
      acceptCpuSpread: spreadTarget(three.accept),
      deliveryCpuSpread: spreadTarget(three.deliver),
    };
    for (const [name, t] of Object.entries(targets)) {
      console.log(`${name}: ${t.measured} (target ${t.target}: ${verdict(t.met)})`);
    }
    writeResults('cluster', {
      benchmark: 'cluster',
      at: new Date().toISOString(),
      ...environment('see runs'),
      parameters: {
        messages: MESSAGES,
        warmup: WARMUP,
        connections: CONNECTIONS,
        providerLatencyMs: PROVIDER_LATENCY_MS,
        queueShards: CLUSTER_QUEUE_SHARDS,
      },
      runs: { one, three },
      ratios: { acceptedPerSecond: acceptRatio, deliveredPerSecond: deliverRatio },
      targets,
      table,
    });
  } finally {
    await simulator.stop();
  }
}

async function measure(
  heraldMain: string,
  simulator: ProviderSimulator,
  simulatorUrl: string,
  target: Target,
): Promise<Run> {
  const loadBefore = loadAverage();
  const common = { main: heraldMain, simulatorUrl, ...target.herald, env: target.env };
  const api = await startHerald({ ...common, role: 'api', profileLabel: 'cluster-api' });
  let worker: NodeProcess | undefined;
  try {
    await api.process.waitForHttp(`${api.url}/health/ready`);
    await post(api.url, WARMUP);

    const before = await readMasters(target.masters);
    const result = await post(api.url, MESSAGES);
    const afterAccept = await readMasters(target.masters);

    // Every accepted e-mail (the warm-up's too) is waiting: the worker delivers them all.
    const toDeliver = WARMUP + result['2xx'];
    const sentBefore = simulator.requests('sendgrid');
    const delivered = () => simulator.requests('sendgrid') - sentBefore;
    worker = (await startHerald({ ...common, role: 'worker', profileLabel: 'cluster-worker' }))
      .process;
    // Timed from the first delivery: the worker's start-up is not delivery.
    let started = 0;
    const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
    while (delivered() < toDeliver) {
      if (started === 0 && delivered() > 0) started = performance.now();
      if (Date.now() > deadline) {
        throw new Error(
          `${target.label}: ${delivered()} of ${toDeliver} delivered within ${DELIVERY_TIMEOUT_MS} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const deliverSeconds = (performance.now() - started) / 1000;
    const afterDelivery = await readMasters(target.masters);
    return {
      label: target.label,
      accept: {
        ...phase(before, afterAccept, result['2xx'], result.duration),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        non2xx: result.non2xx + result.errors + result.timeouts,
      },
      deliver: phase(afterAccept, afterDelivery, toDeliver, deliverSeconds),
      loadAverage: { before: loadBefore, after: loadAverage() },
    };
  } finally {
    await worker?.stop();
    await api.process.stop();
  }
}

/** CPU ms and command calls of each master, now. */
async function readMasters(masters: readonly Redis[]): Promise<{ cpu: number; calls: number }[]> {
  return Promise.all(
    masters.map(async (m) => ({ cpu: await redisCpuMs(m), calls: await redisCalls(m) })),
  );
}

function phase(
  before: readonly { cpu: number; calls: number }[],
  after: readonly { cpu: number; calls: number }[],
  count: number,
  seconds: number,
): Phase {
  const masterCpuMs = after.map((a, i) => Math.round(a.cpu - before[i]!.cpu));
  return {
    perSecond: Math.round(count / seconds),
    seconds: Math.round(seconds * 10) / 10,
    masterCpuMs,
    masterCalls: after.map((a, i) => a.calls - before[i]!.calls),
    spread: ratio(Math.max(...masterCpuMs), Math.max(1, Math.min(...masterCpuMs))),
  };
}

/** `amount` POSTs of the bench e-mail, each with its own Idempotency-Key. */
function post(url: string, amount: number): Promise<AutocannonResult> {
  return autocannon({
    url: `${url}/v1/notifications`,
    method: 'POST',
    connections: CONNECTIONS,
    amount,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${BENCH_API_KEY}`,
      'idempotency-key': 'cluster-[<id>]',
    },
    body: JSON.stringify(BENCH_EMAIL),
    idReplacement: true,
  });
}

if (require.main === module) runBenchmarks([clusterBenchmark]);
