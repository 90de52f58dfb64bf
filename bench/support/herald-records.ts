import { readSentCall, SENT_CALL_FIELD } from '../../src/notifications/sent-call';
import type { RedisServer } from './redis-server';
import { type Distribution, distribution } from './stats';

/**
 * The part of a Herald delivery attempt (`<prefix>:ntf:<id>:attempts`, or the record's `sentCall`
 * field for an accepted call that was the only one) the benchmarks read.
 */
interface Attempt {
  readonly outcome: 'sent' | 'failed' | 'skipped';
  readonly errorClass?: string;
  readonly detail?: string;
  readonly latencyMs: number;
}

/** The detail Herald gives a call it abandoned because its provider hung. */
const HUNG = /^provider hung: no answer for \d+ ms, over its bound of (\d+) ms/;

/** What Herald's own records say about a run's notifications. */
export interface RecordsSummary {
  /** Notifications with an attempt whose errorClass is `timeout` (a call that waited its deadline). */
  readonly withTimeout: number;
  /** Duration of the provider call that delivered, as Herald timed it (SDK call included), ms. */
  readonly deliveringCallMs: Distribution;
  /**
   * Calls abandoned early because their provider was declared hung: how long each had waited
   * (ms), and the bounds Herald declared the hangs at (ms, distinct values).
   */
  readonly abandonedAsHung: { readonly waitedMs: Distribution; readonly boundsMs: number[] };
}

/** Reads the attempts of `ids` (all of them, in one pipeline) before the run's keys are deleted. */
export async function readRecords(
  redis: RedisServer,
  prefix: string,
  ids: readonly string[],
): Promise<RecordsSummary> {
  const pipeline = redis.client.pipeline();
  for (const id of ids) {
    pipeline.lrange(`${prefix}:ntf:${id}:attempts`, 0, -1);
    pipeline.hmget(`${prefix}:ntf:${id}`, 'provider', 'sentAt', SENT_CALL_FIELD);
  }
  const replies = (await pipeline.exec()) ?? [];
  const attempts = ids.map((_, i) => {
    const [listErr, raw] = replies[2 * i]!;
    const [hashErr, fields] = replies[2 * i + 1]!;
    if (listErr ?? hashErr) throw listErr ?? hashErr;
    const list = (raw as string[]).map((a) => JSON.parse(a) as Attempt);
    const [provider, sentAt, sentCall] = fields as (string | null)[];
    const sent =
      sentCall &&
      readSentCall(sentCall, { provider: provider ?? undefined, sentAt: sentAt ?? undefined });
    return sent ? [...list, sent] : list;
  });
  const hung = attempts.flat().flatMap((a) => {
    const match = a.detail === undefined ? null : HUNG.exec(a.detail);
    return match ? [{ waitedMs: a.latencyMs, boundMs: Number(match[1]) }] : [];
  });
  return {
    abandonedAsHung: {
      waitedMs: distribution(hung.map((h) => h.waitedMs)),
      boundsMs: [...new Set(hung.map((h) => h.boundMs))].sort((x, y) => x - y),
    },
    withTimeout: attempts.filter((list) => list.some((a) => a.errorClass === 'timeout')).length,
    deliveringCallMs: distribution(
      attempts.flatMap((list) => list.filter((a) => a.outcome === 'sent').map((a) => a.latencyMs)),
    ),
  };
}
