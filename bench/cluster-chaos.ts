/**
 * Chaos on a Redis Cluster: what a master's death costs in sends.
 *
 * Three masters and three replicas on loopback (`cluster-node-timeout` 2 s), a Herald `api` and
 * a Herald `worker` process on it (HERALD_QUEUE_SHARDS from BENCH_QUEUE_SHARDS, default 6),
 * SendGrid simulated with 20 ms of latency. 1,000 e-mails, each to its own recipient with its
 * own Idempotency-Key, are posted by 20 clients that retry a 503 (or a 409 in flight, or a
 * dropped connection) with the same key after Retry-After, as a client should. Once half are
 * accepted, the master holding the most of the run's keys is killed (SIGKILL); its replica takes
 * over. Then every notification is followed to a final status, and the simulator's receipts
 * are counted per notification and per recipient:
 * - lost: accepted (202) but never received by a provider, or its record gone;
 * - duplicated: received more than once, each either recorded as an ambiguous attempt
 *   (Herald knows it may have sent twice) or not (a silent duplicate);
 * - a key accepted under two ids (an idempotency claim the failover lost).
 *
 * Before the chaos, on the healthy cluster, it measures what `WAIT 1 <timeout>` after an
 * acceptance-sized write costs: 50 concurrent writers on one auto-pipelined connection to the
 * master (as Herald's), each write alone and each followed by WAIT, throughput and latency.
 *
 * BENCH_CHAOS_MESSAGES (1000), BENCH_WAIT_OPS (3000 per round, 3 rounds of each, alternated),
 * BENCH_WAIT_TIMEOUT_MS (100).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { NotificationRecord } from '../src/contracts/notification-record';
import type { RedisServer as RedisNode } from '../test/support/redis-server';
import { startHerald } from './support/herald';
import {
  type BenchCluster,
  CLUSTER_QUEUE_SHARDS,
  CLUSTER_PREFIX,
  redisCpuMs,
  startBenchCluster,
} from './support/redis-cluster';
import { environment, loadAverage, printTable, writeResults } from './support/report';
import { type BenchContext, runBenchmarks } from './support/runner';
import { startSimulator } from './support/simulator';
import { type Distribution, distribution, ratio } from './support/stats';
import { BENCH_API_KEY, BENCH_EMAIL } from './support/workload';

const MESSAGES = Number(process.env.BENCH_CHAOS_MESSAGES ?? 1_000);
const CLIENTS = 20;
const PROVIDER_LATENCY_MS = 20;
/** How long every notification may take to reach a final status after the last acceptance. */
const SETTLE_MS = 180_000;
const WAIT_OPS = Number(process.env.BENCH_WAIT_OPS ?? 3_000);
const WAIT_TIMEOUT_MS = Number(process.env.BENCH_WAIT_TIMEOUT_MS ?? 100);
const WAIT_CONCURRENCY = 50;
const WAIT_ROUNDS = 3;

export async function clusterChaosBenchmark({ heraldMain }: BenchContext): Promise<void> {
  console.log(
    `\n== cluster chaos: ${MESSAGES} keyed e-mails, 3 masters + 3 replicas, a master killed at 50 % accepted ==`,
  );
  const cluster = await startBenchCluster({ replicas: true });
  const { simulator, url: simulatorUrl } = await startSimulator(MESSAGES * 3);
  try {
    const wait = await measureWait(cluster);
    simulator.setBehaviour('sendgrid', { mode: 'ok', latencyMs: PROVIDER_LATENCY_MS });
    const prefix = CLUSTER_PREFIX;
    const common = {
      main: heraldMain,
      redisUrl: '',
      clusterNodes: cluster.seeds,
      prefix,
      simulatorUrl,
      env: { HERALD_QUEUE_SHARDS: CLUSTER_QUEUE_SHARDS },
    };
    const api = await startHerald({ ...common, role: 'api', profileLabel: 'chaos-api' });
    const worker = await startHerald({ ...common, role: 'worker', profileLabel: 'chaos-worker' });
    await api.process.waitForHttp(`${api.url}/health/ready`);
    await worker.process.waitForHttp(`${worker.url}/health/ready`);

    const loadBefore = loadAverage();
    const posting = postAll(api.url, () => killBusiestMaster(cluster));
    const { accepted, answers, kill } = await posting;
    const killed = await kill;
    const records = await settle(api.url, [...new Set(accepted.flatMap((a) => a.ids))]);
    const loadAfter = loadAverage();

    const receipts = new Map<string, number>();
    const byRecipient = new Map<string, number>();
    for (const m of simulator.messages()) {
      if (m.notificationId)
        receipts.set(m.notificationId, (receipts.get(m.notificationId) ?? 0) + 1);
      for (const to of m.to) byRecipient.set(to, (byRecipient.get(to) ?? 0) + 1);
    }
    const ids = [...records.keys()];
    const gone = ids.filter((id) => records.get(id) === undefined);
    const lost = ids.filter((id) => !receipts.has(id));
    const duplicated = ids.filter((id) => (receipts.get(id) ?? 0) > 1);
    const ambiguous = (id: string) => records.get(id)?.attempts.some((a) => a.ambiguous) ?? false;
    const silent = duplicated.filter((id) => !ambiguous(id));
    const keysTwice = accepted.filter((a) => a.ids.length > 1).length;
    const recipientsTwice = [...byRecipient.values()].filter((n) => n > 1).length;
    const acceptMs = round(distribution(accepted.map((a) => a.ms)));
    const statuses: Record<string, number> = {};
    for (const r of records.values()) {
      const s = r?.status ?? 'gone';
      statuses[s] = (statuses[s] ?? 0) + 1;
    }

    const table = printTable(
      `cluster chaos — ${MESSAGES} e-mails, master killed at ${killed.atAccepted} accepted`,
      ['', 'count'],
      [
        ['keys accepted (202)', accepted.length],
        ['keys accepted under two ids', keysTwice],
        ['records found', ids.length - gone.length],
        ['sent', statuses.sent ?? 0],
        ['not sent (final status other than sent, or none)', ids.length - (statuses.sent ?? 0)],
        ['lost: accepted, never received by a provider', lost.length],
        ['duplicated: received more than once', duplicated.length],
        ['  of them recorded as an ambiguous attempt', duplicated.length - silent.length],
        ['  of them silent (no ambiguous attempt)', silent.length],
        ['recipients who got the e-mail twice', recipientsTwice],
        ['503 answers (retried)', answers[503] ?? 0],
        ['409 answers (retried)', answers[409] ?? 0],
        ['dropped connections (retried)', answers.dropped ?? 0],
        ['other non-2xx answers', otherAnswers(answers)],
        ['time to a 202, retries included: p50 ms', acceptMs.p50],
        ['  p99 ms', acceptMs.p99],
        ['  max ms', acceptMs.max],
      ],
    );
    console.log(
      `killed master :${killed.port} (${killed.keys} of the run's ${killed.allKeys} keys) at ${killed.atAccepted} accepted; ` +
        `replica :${killed.replicaPort} master after ${killed.promotionMs} ms; ` +
        `503s from first to last over ${answers.unavailableMs} ms; statuses ${JSON.stringify(statuses)}; ` +
        `load average ${loadBefore} → ${loadAfter}`,
    );
    // Why each notification that was not sent ended as it did, grouped.
    const notSent = new Map<string, number>();
    for (const r of records.values()) {
      if (r?.status === 'sent') continue;
      const why = r
        ? `${r.status}: ${r.failure ? `${r.failure.errorClass}: ${r.failure.detail}` : 'no failure recorded'}`
        : 'record gone';
      notSent.set(why, (notSent.get(why) ?? 0) + 1);
    }
    for (const [why, n] of notSent) console.log(`not sent, ${n}× ${why}`);
    printWait(wait);

    const targets = {
      lostSends: { measured: lost.length, target: '≤ 0', met: lost.length === 0 },
      silentDuplicates: { measured: silent.length, target: '≤ 0', met: silent.length === 0 },
      keysAcceptedTwice: { measured: keysTwice, target: '≤ 0', met: keysTwice === 0 },
      otherNon2xx: {
        measured: otherAnswers(answers),
        target: '≤ 0',
        met: otherAnswers(answers) === 0,
      },
    };
    writeResults('cluster-chaos', {
      benchmark: 'cluster-chaos',
      at: new Date().toISOString(),
      ...environment(cluster.version),
      parameters: {
        messages: MESSAGES,
        clients: CLIENTS,
        providerLatencyMs: PROVIDER_LATENCY_MS,
        queueShards: CLUSTER_QUEUE_SHARDS,
        waitOps: WAIT_OPS,
        waitTimeoutMs: WAIT_TIMEOUT_MS,
      },
      killed,
      answers,
      acceptMs,
      statuses,
      notSent: Object.fromEntries(notSent),
      lost,
      duplicated: duplicated.map((id) => ({
        id,
        receipts: receipts.get(id),
        ambiguous: ambiguous(id),
      })),
      wait,
      loadAverage: { before: loadBefore, after: loadAfter },
      targets,
      table,
    });
    await api.process.stop();
    await worker.process.stop();
  } finally {
    await simulator.stop();
    await cluster.stop();
  }
}

/** What the clients met: answers by status (`dropped`: no answer), and the 503 window. */
type Answers = Record<string | number, number> & { unavailableMs: number };

interface KeyAccepted {
  readonly key: string;
  /** The ids the key's 202s carried: one, unless the key was accepted twice. */
  readonly ids: string[];
  /** From its first POST to its 202, retries included. */
  readonly ms: number;
}

interface Killed {
  readonly port: number;
  readonly replicaPort: number;
  /** Keys the killed master held at the kill, and all masters together. */
  readonly keys: number;
  readonly allKeys: number;
  readonly atAccepted: number;
  readonly promotionMs: number;
}

function otherAnswers(answers: Answers): number {
  return Object.entries(answers)
    .filter(([k]) => !['503', '409', 'dropped', 'unavailableMs'].includes(k))
    .reduce((sum, [, n]) => sum + n, 0);
}

/**
 * Posts MESSAGES keyed e-mails over CLIENTS concurrent clients, each retried until a 202; at
 * half accepted, calls `kill` (once, not awaited by the clients).
 */
async function postAll(
  apiUrl: string,
  kill: () => Promise<Omit<Killed, 'atAccepted'>>,
): Promise<{ accepted: KeyAccepted[]; answers: Answers; kill: Promise<Killed> }> {
  const answers = { unavailableMs: 0 } as Answers;
  const accepted: KeyAccepted[] = [];
  let firstUnavailable = 0;
  let lastUnavailable = 0;
  let killing: Promise<Killed> | undefined;
  const count = (what: string | number) => (answers[what] = (answers[what] ?? 0) + 1);
  let next = 0;
  const client = async () => {
    for (let i = next++; i < MESSAGES; i = next++) {
      const key = `chaos-${i}`;
      const ids: string[] = [];
      const started = performance.now();
      for (;;) {
        let status: number;
        let retryAfter: number;
        try {
          const res = await fetch(`${apiUrl}/v1/notifications`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${BENCH_API_KEY}`,
              'idempotency-key': key,
            },
            body: JSON.stringify({ ...BENCH_EMAIL, to: [`chaos${i}@example.com`] }),
            signal: AbortSignal.timeout(10_000),
          });
          status = res.status;
          retryAfter = Number(res.headers.get('retry-after') ?? 1);
          const body = (await res.json()) as { id?: string };
          if (status === 202 && body.id && !ids.includes(body.id)) ids.push(body.id);
        } catch {
          count('dropped');
          await sleep(200);
          continue;
        }
        if (status === 202) break;
        count(status);
        if (status === 503) {
          firstUnavailable ||= Date.now();
          lastUnavailable = Date.now();
        }
        if (status !== 503 && status !== 409) break;
        await sleep(retryAfter * 1000);
      }
      if (ids.length > 0) accepted.push({ key, ids, ms: performance.now() - started });
      if (accepted.length === Math.floor(MESSAGES / 2) && !killing) {
        const atAccepted = accepted.length;
        killing = kill().then((k) => ({ ...k, atAccepted }));
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  answers.unavailableMs = lastUnavailable - firstUnavailable;
  if (!killing) throw new Error('the run ended before half its messages were accepted');
  return { accepted, answers, kill: killing };
}

/**
 * Kills (SIGKILL) the master holding the most keys (the run owns the cluster), then waits until
 * its replica calls itself master and the cluster serves every slot again.
 */
async function killBusiestMaster(cluster: BenchCluster): Promise<Omit<Killed, 'atAccepted'>> {
  const sizes = await Promise.all(
    cluster.masters.map((m) => askNode(cluster, m, (r) => r.dbsize())),
  );
  const index = sizes.indexOf(Math.max(...sizes));
  const master = cluster.masters[index]!;
  const replica = await replicaOf(cluster, master);
  const killedAt = Date.now();
  await master.stop('SIGKILL');
  for (;;) {
    const [role, state] = await Promise.all([
      askNode(cluster, replica, (c) => c.role()).catch(() => ['unknown']),
      askNode(cluster, replica, (c) => c.cluster('INFO')).catch(() => ''),
    ]);
    if ((role as unknown[])[0] === 'master' && /^cluster_state:ok\b/m.test(String(state))) break;
    if (Date.now() - killedAt > 60_000) throw new Error('no replica took over within 60 s');
    await sleep(50);
  }
  return {
    port: master.port,
    replicaPort: replica.port,
    keys: sizes[index]!,
    allKeys: sizes.reduce((a, b) => a + b, 0),
    promotionMs: Date.now() - killedAt,
  };
}

/** The replica that replicates `master`. */
async function replicaOf(cluster: BenchCluster, master: RedisNode): Promise<RedisNode> {
  const ports = await Promise.all(
    cluster.replicas.map(async (r) => {
      const info = await askNode(cluster, r, (c) => c.info('replication'));
      return Number(/^master_port:(\d+)/m.exec(info)?.[1]);
    }),
  );
  const replica = cluster.replicas[ports.indexOf(master.port)];
  if (!replica) throw new Error(`no replica of the master on port ${master.port}`);
  return replica;
}

async function askNode<T>(
  cluster: BenchCluster,
  node: RedisNode,
  command: (r: Redis) => Promise<T>,
): Promise<T> {
  const redis = cluster.connect(node);
  try {
    return await command(redis);
  } finally {
    redis.disconnect();
  }
}

/**
 * Reads every record until each has a final status (or SETTLE_MS passes): the record, or
 * undefined when it is gone.
 */
async function settle(
  apiUrl: string,
  ids: readonly string[],
): Promise<Map<string, NotificationRecord | undefined>> {
  const records = new Map<string, NotificationRecord | undefined>();
  const final = (r: NotificationRecord | undefined) =>
    r === undefined || !['queued', 'sending', 'scheduled'].includes(r.status);
  const deadline = Date.now() + SETTLE_MS;
  let pending = [...ids];
  while (pending.length > 0) {
    for (let from = 0; from < pending.length; from += 50) {
      await Promise.all(
        pending.slice(from, from + 50).map(async (id) => {
          records.set(id, await readRecord(apiUrl, id));
        }),
      );
    }
    pending = pending.filter((id) => !final(records.get(id)));
    if (pending.length === 0) break;
    if (Date.now() > deadline) {
      console.log(`${pending.length} notifications still not final after ${SETTLE_MS} ms`);
      break;
    }
    await sleep(1_000);
  }
  return records;
}

async function readRecord(apiUrl: string, id: string): Promise<NotificationRecord | undefined> {
  for (;;) {
    const res = await fetch(`${apiUrl}/v1/notifications/${id}`, {
      headers: { authorization: `Bearer ${BENCH_API_KEY}` },
    });
    if (res.status === 200) return (await res.json()) as NotificationRecord;
    if (res.status === 404) return undefined;
    await sleep(200);
  }
}

interface WaitRun {
  readonly label: string;
  readonly opsPerSecond: number;
  readonly latencyMs: Distribution;
  /** WAIT answers below 1: the timeout passed before the replica acknowledged. */
  readonly unacknowledged: number;
  /** Redis CPU per write, µs (INFO cpu, user + sys), of the master and of its replica. */
  readonly cpuUsPerWrite: { master: number; replica: number };
  /** Acknowledgements (REPLCONF) the replica sent per write: WAIT asks for one each time. */
  readonly replicaAcksPerWrite: number;
}

interface WaitResult {
  readonly without: WaitRun;
  readonly withWait: WaitRun;
  /** Median rounds' writes/s, with WAIT over without. */
  readonly throughputRatio: number;
  /** The same ratio in each round. */
  readonly roundRatios: number[];
  readonly extraP50Ms: number;
}

/**
 * An acceptance-sized write (a script writing a 1 KiB hash, an index entry and a claim under one
 * hash tag), by 50 concurrent writers on one auto-pipelined connection to the master that owns
 * the tag, alone and then each followed by `WAIT 1 <timeout>` on the same connection.
 */
async function measureWait(cluster: BenchCluster): Promise<WaitResult> {
  const tag = '{wait-bench}';
  const probe = cluster.connect(cluster.masters[0]!);
  const slot = Number(await probe.cluster('KEYSLOT', tag));
  const ranges = await probe.cluster('SLOTS');
  probe.disconnect();
  const port = ranges.find(([from, to]) => slot >= from && slot <= to)![2]![1];
  const master = cluster.masters.find((m) => m.port === port)!;
  const replica = await replicaOf(cluster, master);
  const stats = { master: cluster.connect(master), replica: cluster.connect(replica) };
  const read = async () => ({
    master: await redisCpuMs(stats.master),
    replica: await redisCpuMs(stats.replica),
    acks: Number(
      /^cmdstat_replconf:calls=(\d+)/m.exec(await stats.master.info('commandstats'))?.[1] ?? 0,
    ),
  });
  const redis = new Redis(master.url, { enableAutoPipelining: true, maxRetriesPerRequest: 0 });
  redis.defineCommand('acceptLike', {
    numberOfKeys: 3,
    lua: `redis.call('HSET', KEYS[1], 'message', ARGV[1], 'status', 'queued')
redis.call('ZADD', KEYS[2], ARGV[2], KEYS[1])
redis.call('SET', KEYS[3], KEYS[1], 'EX', 86400)
return 1`,
  });
  const body = JSON.stringify(BENCH_EMAIL).padEnd(1024, ' ');
  const write = (n: number) =>
    (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>).acceptLike!(
      `${tag}:ntf:${n}`,
      `${tag}:idx`,
      `${tag}:idem:${n}`,
      body,
      n,
    );
  const run = async (label: string, withWait: boolean, from: number): Promise<WaitRun> => {
    const latencies: number[] = [];
    let unacknowledged = 0;
    let next = from;
    const before = await read();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: WAIT_CONCURRENCY }, async () => {
        for (let n = next++; n < from + WAIT_OPS; n = next++) {
          const t = performance.now();
          await write(n);
          if (withWait && Number(await redis.call('WAIT', 1, WAIT_TIMEOUT_MS)) < 1) {
            unacknowledged += 1;
          }
          latencies.push(performance.now() - t);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const after = await read();
    const perWrite = (n: number) => Math.round((n / WAIT_OPS) * 100) / 100;
    return {
      label,
      opsPerSecond: Math.round(WAIT_OPS / seconds),
      latencyMs: round(distribution(latencies)),
      unacknowledged,
      cpuUsPerWrite: {
        master: perWrite((after.master - before.master) * 1000),
        replica: perWrite((after.replica - before.replica) * 1000),
      },
      replicaAcksPerWrite: perWrite(after.acks - before.acks),
    };
  };
  try {
    await run('warm-up', false, 2 * WAIT_ROUNDS * WAIT_OPS);
    // Alternated, so that other work on the machine weighs on both alike; the median round of
    // each is kept.
    const rounds: { without: WaitRun; withWait: WaitRun }[] = [];
    for (let i = 0; i < WAIT_ROUNDS; i++) {
      const without = await run('write', false, 2 * i * WAIT_OPS);
      const withWait = await run(`write + WAIT 1 ${WAIT_TIMEOUT_MS}`, true, (2 * i + 1) * WAIT_OPS);
      rounds.push({ without, withWait });
    }
    const median = (pick: (r: (typeof rounds)[number]) => WaitRun) =>
      rounds.map(pick).sort((a, b) => a.opsPerSecond - b.opsPerSecond)[WAIT_ROUNDS >> 1]!;
    const without = median((r) => r.without);
    const withWait = median((r) => r.withWait);
    return {
      without,
      withWait,
      throughputRatio: ratio(withWait.opsPerSecond, without.opsPerSecond),
      roundRatios: rounds.map((r) => ratio(r.withWait.opsPerSecond, r.without.opsPerSecond)),
      extraP50Ms: Math.round((withWait.latencyMs.p50 - without.latencyMs.p50) * 100) / 100,
    };
  } finally {
    // Gone before Herald starts, so that the run's keys alone say which master is Herald's.
    await stats.master.flushall();
    redis.disconnect();
    stats.master.disconnect();
    stats.replica.disconnect();
  }
}

function round(d: Distribution): Distribution {
  const r = (n: number) => Math.round(n * 100) / 100;
  return { count: d.count, p50: r(d.p50), p90: r(d.p90), p99: r(d.p99), max: r(d.max) };
}

function printWait(wait: WaitResult): void {
  printTable(
    `WAIT — acceptance-sized writes, ${WAIT_CONCURRENCY} writers on one connection to a master with one replica`,
    [
      '',
      'writes/s',
      'p50 ms',
      'p99 ms',
      'WAIT timed out',
      'master CPU µs/write',
      'replica CPU µs/write',
      'replica acks/write',
    ],
    [wait.without, wait.withWait].map((r) => [
      r.label,
      r.opsPerSecond,
      r.latencyMs.p50,
      r.latencyMs.p99,
      r.unacknowledged,
      r.cpuUsPerWrite.master,
      r.cpuUsPerWrite.replica,
      r.replicaAcksPerWrite,
    ]),
  );
  console.log(
    `WAIT: throughput ×${wait.throughputRatio} (rounds ${wait.roundRatios.join(', ')}), ` +
      `${wait.extraP50Ms >= 0 ? '+' : ''}${wait.extraP50Ms} ms at p50 per write (median rounds)`,
  );
}

if (require.main === module) runBenchmarks([clusterChaosBenchmark]);
