import type { RedisService } from '../redis/redis.service';

/**
 * The list indexes of notification records: sorted sets scored by creation time (epoch ms),
 * one per caller (`c:<caller>`) and one across callers (`all`), each also split by status
 * (`:s:<status>`) and by channel (`:ch:<channel>`). A record joins them when it is created;
 * every lifecycle script moves it between the status sets in the same step as its status
 * changes (the Lua `reindex` derives these names from the record's key: keep both in step).
 * Each index lives at least as long as the newest record in it; members whose record expired
 * are dropped when a read meets them.
 */
export function recordIndexKey(
  redis: RedisService,
  caller: string | undefined,
  by: { readonly status?: string; readonly channel?: string } = {},
): string {
  const scope = caller === undefined ? 'all' : `c:${caller}`;
  const base = redis.key('nidx', scope);
  if (by.status !== undefined) return `${base}:s:${by.status}`;
  if (by.channel !== undefined) return `${base}:ch:${by.channel}`;
  return base;
}

/** Every index a new record joins. */
export function indexesOfNewRecord(
  redis: RedisService,
  record: { readonly caller: string; readonly status: string; readonly channel: string },
): string[] {
  return [record.caller, undefined].flatMap((caller) => [
    recordIndexKey(redis, caller),
    recordIndexKey(redis, caller, { status: record.status }),
    recordIndexKey(redis, caller, { channel: record.channel }),
  ]);
}
