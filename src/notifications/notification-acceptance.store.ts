import { Injectable } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { Job, type Queue } from 'bullmq';
import { HeraldError } from '../errors/herald-error';
import { RedisService } from '../redis/redis.service';
import {
  type IdempotencyOutcome,
  outcomeOf,
  storedFingerprint,
} from '../idempotency/idempotency.store';
import { STEP_JOB_RETENTION, timerJobId } from '../fallback/fallback-steps';
import {
  DELIVER_JOB,
  type DeliverJobData,
  FALLBACK_TIMER_JOB,
  type StepJobData,
} from '../queue/queue.constants';
import { NotificationQueues } from '../queue/notification-queues';
import {
  CLAIM_AND_WRITE,
  KEEP_IF_QUEUED,
  UNDO_ACCEPTANCE,
} from './notification-acceptance.scripts';
import type { NewRecordRow } from './notification-records.repository';
import type { SuppressionCheck } from '../suppression/suppression-screen';

/**
 * Milliseconds a queue write may take before the request gives up with 503. The queue's
 * connection has no command timeout of its own (BullMQ's blocking calls share its options), so
 * a Redis that accepts connections but does not answer would otherwise hold the request open.
 * An acceptance is one round trip on it, so it gets what one command of Herald's own client
 * gets (RedisService's command timeout).
 */
export const QUEUE_WRITE_DEADLINE_MS = 1_000;

/**
 * What BullMQ keeps of finished DELIVER jobs: nothing once completed (the record holds the
 * whole story, and a kept job costs more Redis memory than its notification); failed ones a
 * week, to inspect.
 */
export const DELIVER_JOB_RETENTION = {
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3_600 },
} as const;

/** One REST acceptance: the record to write, its job, and the idempotency claim if keyed. */
export interface AcceptanceWrite {
  readonly id: string;
  readonly row: NewRecordRow;
  /** Milliseconds the job waits before its first round (a scheduled notification). */
  readonly delayMs: number;
  /** The fallback step the job delivers when not the message's own (its recipients suppressed). */
  readonly step?: number;
  /**
   * The `fallbackAfterSeconds` timer of that step: queued in the same transaction, so an
   * accepted notification never lacks it.
   */
  readonly timer?: { readonly step: number; readonly delayMs: number };
  /**
   * The id of the job that already carries the notification (a producer's `send` job being
   * accepted, which is running): no `deliver` job is added.
   */
  readonly carriedBy?: string;
  /**
   * The recipients to look up on the suppression list of the notification's shard, in the
   * transaction: when one is listed, nothing is written (outcome `suppressed`).
   */
  readonly suppression?: SuppressionCheck;
  readonly claim?: {
    /** The entry's Redis key (IdempotencyStore.entryKey). */
    readonly entryKey: string;
    readonly fingerprint: string;
    readonly owner: string;
    /** What a replay answers (JSON). */
    readonly answer: string;
    /** Seconds the completed key is kept. */
    readonly ttlSeconds: number;
  };
}

/**
 * What an acceptance found: the claim's outcome (`new` when written), or `suppressed` when a
 * recipient is on the list its write checked ({@link AcceptanceWrite.suppression}), which wrote
 * nothing.
 */
export type AcceptanceOutcome = IdempotencyOutcome | { readonly kind: 'suppressed' };

/**
 * The queue's connection as this store uses it: ioredis (behind BullMQ's adapter), with the
 * scripts this store defines on it (see notification-acceptance.scripts.ts).
 */
interface TransactionClient {
  readonly stream?: Writable;
  /** True for an ioredis Cluster client. */
  readonly isCluster?: boolean;
  multi(): PipelinedTransaction;
  /** ioredis: the scripts defined on the connection (ours and BullMQ's), by name. */
  readonly scriptsSet: Record<string, { readonly lua: string }>;
  /** ioredis Cluster: its nodes. */
  nodes?(role: 'master'): { call(command: string, ...args: string[]): Promise<unknown> }[];
  call(command: string, ...args: (string | number | Buffer)[]): Promise<unknown>;
  defineCommand(name: string, definition: { numberOfKeys?: number; lua: string }): void;
  heraldAcceptWrite(numKeys: number, ...args: (string | number | Buffer)[]): Promise<unknown>;
  heraldAcceptKeep(numKeys: number, ...args: string[]): Promise<unknown>;
  heraldAcceptUndo(numKeys: number, ...args: (string | number | Buffer)[]): Promise<unknown>;
}

/** An ioredis MULTI pipeline with this store's scripts (see {@link TransactionClient}). */
interface PipelinedTransaction {
  heraldAcceptWrite(numKeys: number, ...args: (string | number | Buffer)[]): this;
  heraldAcceptKeep(numKeys: number, ...args: string[]): this;
  exec(): Promise<[Error | null, unknown][] | null>;
}

/** The commands of one acceptance, as both ways of sending them need them. */
interface AcceptancePlan {
  readonly keys: string[];
  readonly writeArgs: (string | number | Buffer)[];
  readonly job?: Job;
  readonly timer?: Job;
  /** KEEP_IF_QUEUED's arguments: a keyed acceptance that adds a job. */
  readonly keep?: [numKeys: number, ...args: string[]];
}

/**
 * Writes a REST acceptance in one round trip: one MULTI on the queue's connection holding the
 * idempotency claim with the record and its indexes (one script), the `deliver` job (BullMQ's
 * own job-adding script, through `Job.addJob` on the transaction) and, for a keyed request, a
 * script that takes the key and the record back if the job did not land. Either all of it
 * lands or none: a key is never completed, and a record never kept, without its job.
 */
@Injectable()
export class NotificationAcceptanceStore {
  private client?: TransactionClient;
  /**
   * The acceptances asked for in this turn of the event loop, by connection, sent at its end
   * (see flush).
   */
  private readonly turns = new Map<TransactionClient, Turn>();

  constructor(
    private readonly queues: NotificationQueues,
    private readonly redis: RedisService,
  ) {}

  /**
   * Claims, writes and queues `write`. Answers `new` when accepted; `suppressed` when its
   * suppression check found a recipient listed; any other outcome is what the claim found. Only
   * `new` leaves anything written. Throws `redis_unavailable` when Redis does not
   * answer within {@link QUEUE_WRITE_DEADLINE_MS}, or the error of a failed write; in both
   * cases the acceptance is taken back (in the background, after the transaction).
   */
  async accept(write: AcceptanceWrite): Promise<AcceptanceOutcome> {
    return this.send(write, false);
  }

  /** {@link accept}; `retried` once its scripts were loaded after a NOSCRIPT. */
  private async send(write: AcceptanceWrite, retried: boolean): Promise<AcceptanceOutcome> {
    // While Herald's own client cannot reach Redis, answer at once: the queue's client would
    // wait for its connection to come up.
    if (this.redis.client.status !== 'ready') throw unavailable();
    const client = this.client ?? (await this.connect());
    const { id, row, claim } = write;
    // The notification's shard's queue: its jobs share the slot of its record and claim.
    const queue = this.queues.forId(id);
    const keys = [claim?.entryKey ?? row.key, row.key, ...row.indexes];
    const fields: string[] = [];
    for (const name in row.fields) fields.push(name, row.fields[name]!);
    const job =
      write.carriedBy !== undefined
        ? undefined
        : new Job(
            queue,
            DELIVER_JOB,
            (write.step
              ? { notificationId: id, step: write.step }
              : { notificationId: id }) as DeliverJobData,
            {
              ...queue.defaultJobOptions,
              jobId: id,
              ...(write.delayMs > 0 ? { delay: write.delayMs } : {}),
              ...DELIVER_JOB_RETENTION,
            },
            id,
          );
    const timer =
      write.timer === undefined
        ? undefined
        : new Job(
            queue,
            FALLBACK_TIMER_JOB,
            { notificationId: id, step: write.timer.step } as StepJobData,
            {
              ...queue.defaultJobOptions,
              jobId: timerJobId(id, write.timer.step),
              delay: Math.max(0, Math.round(write.timer.delayMs)),
              ...STEP_JOB_RETENTION,
            },
            timerJobId(id, write.timer.step),
          );
    const added: Added = { job: job !== undefined, timer: timer?.id };
    const checked = write.suppression?.fields ?? [];

    const plan: AcceptancePlan = {
      keys,
      writeArgs: [
        keys.length + 1,
        keys[0]!,
        row.key,
        write.suppression?.key ?? row.key,
        ...row.indexes,
        claim ? storedFingerprint(claim.fingerprint) : '',
        claim?.owner ?? '',
        id,
        claim?.answer ?? '',
        claim?.ttlSeconds ?? 0,
        row.ttl,
        row.score,
        row.indexExpiry,
        checked.length,
        ...checked,
        ...fields,
      ],
      ...(job ? { job } : {}),
      ...(timer ? { timer } : {}),
      ...(claim && job
        ? { keep: [keys.length + 1, queue.toKey(id), ...keys, claim.owner, id] }
        : {}),
    };
    let results: unknown[];
    try {
      // A cluster routes a transaction by its keys, which only ioredis's pipeline form does.
      results = client.isCluster
        ? await this.sendPipelined(client, plan)
        : await this.sendCommands(client, plan);
    } catch (err) {
      this.undo(client, queue, keys, claim?.owner ?? '', id, added);
      throw err;
    }
    // EXEC's replies, in the order queued: the write, the job, the timer, the keeping.
    const [written, ...rest] = results;
    const queued = rest.slice(0, (job ? 1 : 0) + (timer ? 1 : 0));
    const kept = plan.keep ? rest[queued.length] : 1;
    const failure = [written, ...queued, kept].find((r): r is Error => r instanceof Error);
    if (failure && !retried && /NOSCRIPT/.test(failure.message)) {
      // A script is missing where the transaction ran (a restart, a failover, a flush, a load
      // Redis refused): inside a MULTI, ioredis cannot load it and resend as it does for a
      // lone command. Once the partial write is taken back (awaited, so it cannot remove what
      // the retry adds), every script of the connection is loaded and it is all sent again.
      await this.takeBack(client, queue, keys, claim?.owner ?? '', id, added);
      await this.loadScripts(client);
      return this.send(write, true);
    }
    if (failure || !Array.isArray(written)) {
      this.undo(client, queue, keys, claim?.owner ?? '', id, added);
      throw failure ?? new Error('Redis transaction aborted');
    }
    const outcome: AcceptanceOutcome =
      (written as string[])[0] === 'suppressed'
        ? { kind: 'suppressed' }
        : outcomeOf(written as string[]);
    if (outcome.kind !== 'new' && (job || timer)) {
      // Nothing was written (the key was not this request's, or a recipient is suppressed): the
      // jobs queued beside the claim have no record. Removed
      // before answering (a replay is rare), so nothing of this request outlives its answer; if
      // Redis fails now, each job finds no record and ends alone.
      await removeJobs(queue, id, added).catch(() => undefined);
    } else if (outcome.kind === 'new' && kept !== 1) {
      // The job did not land, and KEEP_IF_QUEUED took back the key and the record with it.
      this.undo(client, queue, keys, claim?.owner ?? '', id, added);
      throw new Error('the notification was written without its job, and taken back');
    }
    return outcome;
  }

  /**
   * Sends `plan` in the MULTI … EXEC of this turn of the event loop: the acceptances asked for
   * in one turn (a batch's items, the requests whose suppression check came back together) share
   * one transaction, its deadline and one write (see {@link flush}). Answers this plan's share of
   * EXEC's replies; when Redis discarded the transaction, throws the refusal that made it do so.
   */
  private sendCommands(client: TransactionClient, plan: AcceptancePlan): Promise<unknown[]> {
    let turn = this.turns.get(client);
    if (turn === undefined || turn.entries.length >= MAX_ACCEPTANCES_PER_TRANSACTION) {
      turn = { client, entries: [] };
      this.turns.set(client, turn);
      const flushed = turn;
      setImmediate(() => this.flush(flushed));
    }
    const entries = turn.entries;
    return new Promise((resolve, reject) => entries.push({ plan, resolve, reject }));
  }

  /**
   * Sends a turn's acceptances as one MULTI … EXEC, command by command, not as an ioredis
   * pipeline, whose construction copies every script BullMQ defines on the connection (dozens)
   * onto a new object per request. The commands are written synchronously one after another,
   * so no other command on the connection can fall between them, and with the socket corked,
   * so they leave in one write. Each acceptance stays all or nothing: its claim script, jobs and
   * completion run inside the one transaction, and each reads only its own replies.
   */
  private flush(turn: Turn): void {
    const { client, entries } = turn;
    if (this.turns.get(client) === turn) this.turns.delete(client);
    const stream = client.stream;
    stream?.cork();
    const queued: Promise<unknown>[] = [client.call('MULTI')];
    const counts: number[] = [];
    // An acceptance whose commands could not all be queued fails alone; EXEC is sent whatever
    // happens, or the connection would be left inside a transaction.
    const failures = new Map<number, unknown>();
    entries.forEach(({ plan }, i) => {
      const before = queued.length;
      try {
        queued.push(
          client.heraldAcceptWrite(
            ...(plan.writeArgs as [number, ...(string | number | Buffer)[]]),
          ),
        );
        // BullMQ's own add (Job.addJob on a client runs its script at once: here, queued).
        if (plan.job) {
          queued.push(plan.job.addJob(client as unknown as Parameters<Job['addJob']>[0]));
        }
        if (plan.timer) {
          queued.push(plan.timer.addJob(client as unknown as Parameters<Job['addJob']>[0]));
        }
        if (plan.keep) queued.push(client.heraldAcceptKeep(...plan.keep));
      } catch (err) {
        failures.set(i, err);
      }
      counts.push(queued.length - before);
    });
    const executed = client.call('EXEC') as Promise<unknown[] | null>;
    stream?.uncork();
    // Their answers are QUEUED; a refusal (OOM, say) makes EXEC fail with EXECABORT, which
    // does not say why: the first refusal does.
    let refusal: unknown;
    for (const reply of queued) reply.catch((err: unknown) => (refusal ??= err));
    withDeadline(executed, QUEUE_WRITE_DEADLINE_MS).then(
      (replies) => {
        let at = 0;
        entries.forEach(({ resolve, reject }, i) => {
          if (failures.has(i)) reject(failures.get(i));
          else resolve(replies?.slice(at, at + counts[i]!) ?? []);
          at += counts[i]!;
        });
      },
      (err: unknown) => {
        const cause =
          refusal !== undefined && /EXECABORT/.test((err as Error).message) ? refusal : err;
        entries.forEach(({ reject }, i) => reject(failures.has(i) ? failures.get(i) : cause));
      },
    );
  }

  /** Sends `plan` as an ioredis MULTI pipeline, which a cluster routes to its keys' node. */
  private async sendPipelined(client: TransactionClient, plan: AcceptancePlan): Promise<unknown[]> {
    const tx = client.multi();
    tx.heraldAcceptWrite(...(plan.writeArgs as [number, ...(string | number | Buffer)[]]));
    // Queues BullMQ's add on the transaction (the command is queued before this resolves).
    if (plan.job) await plan.job.addJob(tx as unknown as Parameters<Job['addJob']>[0]);
    if (plan.timer) await plan.timer.addJob(tx as unknown as Parameters<Job['addJob']>[0]);
    if (plan.keep) tx.heraldAcceptKeep(...plan.keep);
    const rows = await withDeadline(tx.exec(), QUEUE_WRITE_DEADLINE_MS);
    if (rows === null) throw new Error('Redis transaction aborted');
    return rows.map(([err, value]) => err ?? value);
  }

  /** Loads every script defined on `client` (on each master of a cluster). */
  private async loadScripts(client: TransactionClient): Promise<void> {
    const nodes = client.nodes?.('master') ?? [client];
    const scripts = Object.values(client.scriptsSet);
    await Promise.all(
      nodes.flatMap((node) => scripts.map((script) => node.call('SCRIPT', 'LOAD', script.lua))),
    );
  }

  /** {@link undo}, awaited: throws when Redis cannot take the acceptance back now. */
  private async takeBack(
    client: TransactionClient,
    queue: Queue,
    keys: string[],
    owner: string,
    id: string,
    added: Added,
  ): Promise<void> {
    await Promise.all([
      client.heraldAcceptUndo(keys.length, ...keys, owner, id),
      removeJobs(queue, id, added),
    ]);
  }

  /** Takes back an acceptance: its claim, record and index entries, and the jobs it added. */
  private undo(
    client: TransactionClient,
    queue: Queue,
    keys: string[],
    owner: string,
    id: string,
    added: Added,
  ): void {
    this.bestEffort(() =>
      Promise.all([
        client.heraldAcceptUndo(keys.length, ...keys, owner, id),
        removeJobs(queue, id, added),
      ]),
    );
  }

  private bestEffort(work: () => Promise<unknown>): void {
    // Redis unreachable: retention removes what is left.
    work().catch(() => undefined);
  }

  /**
   * Shard 0's queue connection, once it first came up, with this store's scripts defined on it
   * (kept: ioredis reconnects the same client, so a request need not wait on BullMQ's promise).
   * It carries every shard's transactions: the job's queue names the keys (BullMQ's add takes
   * the client to run on), and a cluster client routes each transaction to its slot's master.
   */
  private async connect(): Promise<TransactionClient> {
    const client = (await withDeadline(
      this.queues.of(0).getBackend().client,
      QUEUE_WRITE_DEADLINE_MS,
    )) as unknown as TransactionClient;
    if (this.client === undefined) {
      client.defineCommand('heraldAcceptWrite', { lua: CLAIM_AND_WRITE });
      client.defineCommand('heraldAcceptKeep', { lua: KEEP_IF_QUEUED });
      client.defineCommand('heraldAcceptUndo', { lua: UNDO_ACCEPTANCE });
      this.client = client;
    }
    return client;
  }
}

/**
 * Acceptances sent in one transaction at most: a turn with more (several large batches at once)
 * sends several, so no one transaction holds Redis for long.
 */
const MAX_ACCEPTANCES_PER_TRANSACTION = 128;

/** A turn's acceptances waiting to be sent (see NotificationAcceptanceStore.flush). */
interface Turn {
  readonly client: TransactionClient;
  readonly entries: {
    readonly plan: AcceptancePlan;
    resolve(replies: unknown[]): void;
    reject(err: unknown): void;
  }[];
}

/** The jobs an acceptance's transaction adds: its `deliver` job (id: the notification's) and timer. */
interface Added {
  readonly job: boolean;
  /** The fallback timer job's id. */
  readonly timer?: string;
}

/** Removes the jobs `added` names. */
async function removeJobs(queue: Queue, id: string, added: Added): Promise<unknown> {
  return Promise.all([
    added.job ? queue.remove(id) : undefined,
    added.timer === undefined ? undefined : queue.remove(added.timer),
  ]);
}

/** `work`, or `redis_unavailable` after `ms`. */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function unavailable(): HeraldError {
  return new HeraldError('redis_unavailable', 'Redis did not answer in time.', {
    retryAfterSeconds: 1,
  });
}
