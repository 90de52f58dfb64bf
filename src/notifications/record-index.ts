import { CHANNEL_KINDS } from '../config/config.schema';
import type { RedisService } from '../redis/redis.service';

/**
 * The list indexes of notification records: sorted sets scored by creation time (epoch ms),
 * one per caller (`c:<caller>`) and one across callers (`all`), each split by status
 * (`:s:<status>`) and by channel (`:ch:<channel>`), and each kept per notification shard
 * (under the shard's prefix, so a record and its index entries share one slot; a listing reads
 * every shard's sets and merges them). A record joins one of each (four entries);
 * every lifecycle script moves it between the status sets in the same step as its status
 * changes (the Lua `reindex` derives these names from the record's key: keep both in step).
 * A list without a status or channel reads the scope's channel sets merged
 * ({@link recordIndexKeys}): an unsplit set per scope would cost two more entries (about 290
 * bytes) per record for one ZRANGE fewer per page. Records written before that kept joining
 * the unsplit sets (`nidx:<scope>`), which nothing reads any more: they expire as their records
 * do. Each index lives at least as long as the newest record in it; members whose record
 * expired are dropped when a read meets them.
 *
 * Retention without an EXPIRE per write: an index is given an expiry {@link INDEX_RETENTION_STEP_SECONDS}
 * beyond what the record being written needs, so the writes of the next step need none; each
 * record keeps in its `ixUntil` field (epoch s) the expiry its indexes were known to have, and a
 * lifecycle transition lengthens them only once the record would outlive that.
 */
export function recordIndexKey(
  redis: RedisService,
  shard: number,
  caller: string | undefined,
  by: { readonly status?: string; readonly channel?: string } = {},
): string {
  const scope = caller === undefined ? 'all' : `c:${caller}`;
  const base = redis.shards.key(shard, 'nidx', scope);
  if (by.status !== undefined) return `${base}:s:${by.status}`;
  if (by.channel !== undefined) return `${base}:ch:${by.channel}`;
  return base;
}

/**
 * The indexes of one shard whose union, newest first, is the list of `caller`'s (every
 * caller's when undefined) records with `by`'s status or else channel: that one set, or, with
 * neither, the scope's channel sets (a record is in exactly one of them).
 */
export function recordIndexKeys(
  redis: RedisService,
  shard: number,
  caller: string | undefined,
  by: { readonly status?: string; readonly channel?: string } = {},
): string[] {
  if (by.status !== undefined || by.channel !== undefined) {
    return [recordIndexKey(redis, shard, caller, by)];
  }
  return CHANNEL_KINDS.map((channel) => recordIndexKey(redis, shard, caller, { channel }));
}

/** Every index a new record joins (on the shard of its id). */
export function indexesOfNewRecord(
  redis: RedisService,
  record: {
    readonly id: string;
    readonly caller: string;
    readonly status: string;
    readonly channel: string;
  },
): string[] {
  const shard = redis.shards.ofId(record.id);
  return [record.caller, undefined].flatMap((caller) => [
    recordIndexKey(redis, shard, caller, { status: record.status }),
    recordIndexKey(redis, shard, caller, { channel: record.channel }),
  ]);
}

/**
 * Seconds an index's expiry is set beyond what the record being written needs: the indexes'
 * expiries are lengthened at most once per step and index (per process), and outlive their
 * records by at most this much.
 */
export const INDEX_RETENTION_STEP_SECONDS = 3_600;

/**
 * The expiries this process gave the indexes, so a write sends none while they already outlive
 * the record it writes. Only ever an underestimate of an index's real expiry (expiries are only
 * lengthened), except after an index was deleted by hand: then it is re-created without one and
 * gets one within a step. Kept in memory (one entry per index key: callers × statuses ×
 * channels), as a per-write EXPIRE is most of an acceptance's Redis work otherwise.
 */
export class IndexExpiries {
  private readonly until = new Map<string, number>();

  /**
   * For a record written now with `ttl` s to live: `set`, the expiry (epoch s) to give
   * `indexes` (0 when every one already outlives the record), and `until`, the expiry they are
   * known to have afterwards (the record's `ixUntil`).
   */
  plan(
    indexes: readonly string[],
    ttl: number,
    nowMs = Date.now(),
  ): { set: number; until: number } {
    const wanted = Math.ceil(nowMs / 1000) + ttl;
    let until = Infinity;
    for (const key of indexes) until = Math.min(until, this.until.get(key) ?? 0);
    if (until >= wanted) return { set: 0, until };
    const set = wanted + INDEX_RETENTION_STEP_SECONDS;
    for (const key of indexes) this.until.set(key, Math.max(set, this.until.get(key) ?? 0));
    return { set, until: set };
  }
}
