import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { type IRedisTransaction, Job, type JobsOptions, type Queue } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import { HeraldError } from '../errors/herald-error';
import { RedisService } from '../redis/redis.service';
import {
  IN_FLIGHT_TTL_SECONDS,
  type IdempotencyOutcome,
  outcomeOf,
} from '../idempotency/idempotency.store';
import { DELIVER_JOB, type DeliverJobData, NOTIFICATIONS_QUEUE } from '../queue/queue.constants';
import {
  CLAIM_AND_WRITE,
  COMPLETE_QUEUED,
  UNDO_ACCEPTANCE,
} from './notification-acceptance.scripts';
import type { NewRecordRow } from './notification-records.repository';

/**
 * Milliseconds a queue write may take before the request gives up with 503. The queue's
 * connection has no command timeout of its own (BullMQ's blocking calls share its options), so
 * a Redis that accepts connections but does not answer would otherwise hold the request open.
 */
export const QUEUE_WRITE_DEADLINE_MS = 1_500;

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

/** The scripts this store defines on the queue's connection (see notification-acceptance.scripts.ts). */
interface ScriptedTransaction extends IRedisTransaction {
  heraldAcceptWrite(numKeys: number, ...args: (string | number)[]): this;
  heraldAcceptComplete(
    entry: string,
    job: string,
    owner: string,
    answer: string,
    ttl: number,
  ): this;
}
interface ScriptedClient {
  heraldAcceptUndo(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/**
 * Writes a REST acceptance in one round trip: one MULTI on the queue's connection holding the
 * idempotency claim with the record and its indexes (one script), the `deliver` job (BullMQ's
 * own job-adding script, through `Job.addJob` on the transaction) and the completion of the
 * claim (one script, which completes only if the job exists). Either all of it lands or none:
 * a key is never completed, and a record never kept, without its job.
 */
@Injectable()
export class NotificationAcceptanceStore {
  private scriptsDefined = false;

  constructor(
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue,
    private readonly redis: RedisService,
  ) {}

  /**
   * Claims, writes and queues `write`. Answers `new` when accepted; any other outcome is what
   * the claim found, and nothing is written. Throws `redis_unavailable` when Redis does not
   * answer within {@link QUEUE_WRITE_DEADLINE_MS}, or the error of a failed write; in both
   * cases the acceptance is taken back (in the background, after the transaction).
   */
  async accept(write: AcceptanceWrite): Promise<IdempotencyOutcome> {
    // The queue's connection is Herald's own client (queue.module.ts). While it is down, answer
    // at once: BullMQ's client would wait for it to come up.
    if (this.redis.client.status !== 'ready') throw unavailable();
    const client = await this.queue.getBackend().client;
    this.defineScripts(client as unknown as ScriptDefiner);
    const { id, row, claim } = write;
    const keys = [claim?.entryKey ?? '', row.key, ...row.indexes];
    const tx = client.multi() as unknown as ScriptedTransaction;
    const fields: string[] = [];
    for (const name in row.fields) fields.push(name, row.fields[name]!);
    tx.heraldAcceptWrite(
      keys.length,
      ...keys,
      claim?.fingerprint ?? '',
      claim?.owner ?? '',
      id,
      IN_FLIGHT_TTL_SECONDS,
      row.ttl,
      row.score,
      row.indexExpiry,
      ...fields,
    );
    const data: DeliverJobData = { notificationId: id };
    const opts: JobsOptions = {
      ...this.queue.defaultJobOptions,
      jobId: id,
      ...(write.delayMs > 0 ? { delay: write.delayMs } : {}),
      ...DELIVER_JOB_RETENTION,
    };
    // Queues BullMQ's add on the transaction (the command is queued before this resolves).
    await new Job(this.queue, DELIVER_JOB, data, opts, id).addJob(tx);
    if (claim) {
      tx.heraldAcceptComplete(
        claim.entryKey,
        this.queue.toKey(id),
        claim.owner,
        claim.answer,
        claim.ttlSeconds,
      );
    }

    let results: [Error | null, unknown][];
    try {
      results = (await withDeadline(tx.exec(), QUEUE_WRITE_DEADLINE_MS)) ?? [];
    } catch (err) {
      this.undo(client as unknown as ScriptedClient, keys, claim?.owner ?? '', id);
      throw err;
    }
    const [written, added, completed] = results;
    const failure = written?.[0] ?? added?.[0] ?? completed?.[0];
    if (failure || !written) {
      this.undo(client as unknown as ScriptedClient, keys, claim?.owner ?? '', id);
      throw failure ?? new Error('Redis transaction aborted');
    }
    const outcome = outcomeOf(written[1] as string[]);
    if (outcome.kind !== 'new') {
      // The key was not this request's: the job queued beside the claim has no record.
      this.bestEffort(() => this.queue.remove(id));
    } else if (claim && completed?.[1] !== 1) {
      this.undo(client as unknown as ScriptedClient, keys, claim.owner, id);
      throw new Error('the idempotency claim could not be completed with its job');
    }
    return outcome;
  }

  /** Takes back an acceptance: its claim, record and index entries, and its job. */
  private undo(client: ScriptedClient, keys: string[], owner: string, id: string): void {
    this.bestEffort(() =>
      Promise.all([
        client.heraldAcceptUndo(keys.length, ...keys, owner, id),
        this.queue.remove(id),
      ]),
    );
  }

  private bestEffort(work: () => Promise<unknown>): void {
    // Redis unreachable: retention removes what is left.
    work().catch(() => undefined);
  }

  private defineScripts(client: ScriptDefiner): void {
    if (this.scriptsDefined) return;
    client.defineCommand('heraldAcceptWrite', { lua: CLAIM_AND_WRITE });
    client.defineCommand('heraldAcceptComplete', { numberOfKeys: 2, lua: COMPLETE_QUEUED });
    client.defineCommand('heraldAcceptUndo', { lua: UNDO_ACCEPTANCE });
    this.scriptsDefined = true;
  }
}

type ScriptDefiner = Pick<ChainableCommander, never> & {
  defineCommand(name: string, definition: { numberOfKeys?: number; lua: string }): void;
};

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
