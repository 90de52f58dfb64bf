import type { RedisServer } from './redis-server';
import { type Distribution, distribution } from './stats';

/** The part of a Herald delivery attempt (`<prefix>:ntf:<id>:attempts`) the benchmarks read. */
interface Attempt {
  readonly outcome: 'sent' | 'failed' | 'skipped';
  readonly errorClass?: string;
  readonly latencyMs: number;
}

/** What Herald's own records say about a run's notifications. */
export interface RecordsSummary {
  /** Notifications with an attempt whose errorClass is `timeout` (a call that waited its deadline). */
  readonly withTimeout: number;
  /** Duration of the provider call that delivered, as Herald timed it (SDK call included), ms. */
  readonly deliveringCallMs: Distribution;
}

/** Reads the attempts of `ids` (all of them, in one pipeline) before the run's keys are deleted. */
export async function readRecords(
  redis: RedisServer,
  prefix: string,
  ids: readonly string[],
): Promise<RecordsSummary> {
  const pipeline = redis.client.pipeline();
  for (const id of ids) pipeline.lrange(`${prefix}:ntf:${id}:attempts`, 0, -1);
  const replies = (await pipeline.exec()) ?? [];
  const attempts = replies.map(([err, raw]) => {
    if (err) throw err;
    return (raw as string[]).map((a) => JSON.parse(a) as Attempt);
  });
  return {
    withTimeout: attempts.filter((list) => list.some((a) => a.errorClass === 'timeout')).length,
    deliveringCallMs: distribution(
      attempts.flatMap((list) => list.filter((a) => a.outcome === 'sent').map((a) => a.latencyMs)),
    ),
  };
}
