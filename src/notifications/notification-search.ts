import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import type { CallerIdentity } from '../auth/caller.decorator';
import { CHANNEL_KINDS } from '../config/config.schema';
import { NOTIFICATION_STATUSES } from '../contracts/notification-record';
import { HeraldError } from '../errors/herald-error';
import { IdempotencyStore } from '../idempotency/idempotency.store';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency/idempotency-key';
import { RedisService } from '../redis/redis.service';
import { parseOrThrow } from './notification-message.schema';
import { type NotificationSummary, toSummary } from './notification-records.repository';
import { recordIndexKeys } from './record-index';
import { recordKeys } from './record-keys';

/** Most index reads one page may take while filters or expired records skip entries. */
const MAX_READS_PER_PAGE = 3;

const isoTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 date-time with Z or an offset',
});

/** `GET /v1/notifications` query parameters. */
export const listQuerySchema = z.strictObject({
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  channel: z.enum(CHANNEL_KINDS).optional(),
  since: isoTime.optional().describe('Created at or after this time.'),
  until: isoTime.optional().describe('Created at or before this time.'),
  idempotencyKey: z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1–255 printable ASCII characters')
    .optional()
    .describe('The notification accepted under this key (of this caller).'),
  limit: z.coerce.number().int().min(1).max(100).default(50).describe('Page size, 1–100.'),
  cursor: z
    .string()
    .regex(/^\d+\.\d+$/, 'must be a nextCursor from an earlier page')
    .optional(),
  caller: z.string().min(1).max(200).optional().describe("Admin keys only: that caller's."),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

/** A page of notifications, newest first. */
export interface NotificationPage {
  readonly items: NotificationSummary[];
  /** Pass as `cursor` for the next page; absent on the last. */
  readonly nextCursor?: string;
}

/** Where a page starts: below score `max` (epoch ms), after `skip` entries scored `max`. */
interface Position {
  max: number;
  skip: number;
}

/**
 * Lists and searches notification records through their indexes (record-index.ts): one
 * ZRANGE BYSCORE with LIMIT per read and notification shard, merged, then one HGETALL per
 * record in one round trip, so a page costs the same whatever the number of records. A filter the chosen index does not cover (channel beside a
 * status) is applied to what is read, within {@link MAX_READS_PER_PAGE} reads: such a page may
 * hold fewer than `limit` items yet have a next one.
 */
@Injectable()
export class NotificationSearch {
  constructor(
    private readonly redis: RedisService,
    private readonly idempotency: IdempotencyStore,
  ) {}

  async list(who: CallerIdentity, raw: unknown): Promise<NotificationPage> {
    const query = parseOrThrow(listQuerySchema, raw);
    if (!who.admin && query.caller !== undefined && query.caller !== who.name) {
      throw invalid('caller', 'only an admin key may name another caller');
    }
    const caller = who.admin ? query.caller : who.name;
    const since = query.since === undefined ? -Infinity : Date.parse(query.since);
    const until = query.until === undefined ? Infinity : Date.parse(query.until);
    const matches = (s: NotificationSummary) =>
      (query.status === undefined || s.status === query.status) &&
      (query.channel === undefined || s.channel === query.channel) &&
      (caller === undefined || s.caller === caller) &&
      Date.parse(s.createdAt) >= since &&
      Date.parse(s.createdAt) <= until;

    if (query.idempotencyKey !== undefined) {
      if (caller === undefined) throw invalid('idempotencyKey', 'needs caller= with an admin key');
      const entry = this.idempotency.entryKey(`caller:${caller}`, query.idempotencyKey);
      const id = await this.redis.client.hget(entry, 'id');
      if (!id) return { items: [] };
      const found = toSummary(await this.redis.client.hgetall(recordKeys(this.redis, id).record));
      return { items: found && matches(found) ? [found] : [] };
    }

    const by = query.status !== undefined ? { status: query.status } : { channel: query.channel };
    // Each shard's sets for the query (see recordIndexKeys), and the shard each belongs to.
    const indexes = this.redis.shards.all.flatMap((shard) =>
      recordIndexKeys(this.redis, shard, caller, by).map((key) => ({ key, shard })),
    );
    const position =
      query.cursor === undefined ? { max: until, skip: 0 } : parseCursor(query.cursor);
    const items: NotificationSummary[] = [];
    const stale = this.redis.shards.all.map((): string[] => []);
    let more = true;
    for (let reads = 0; more && items.length < query.limit && reads < MAX_READS_PER_PAGE; reads++) {
      const want = query.limit - items.length;
      const entries = await this.read(
        indexes.map(({ key }) => key),
        position,
        since,
        want,
      );
      // One entry past the page says whether another page follows.
      more = entries.length > want;
      const taken = entries.slice(0, want);
      // Not one pipeline: on a cluster the records sit on several masters (auto-pipelined per node).
      const hashes = await Promise.all(
        taken.map(([id]) => this.redis.client.hgetall(recordKeys(this.redis, id).record)),
      );
      taken.forEach(([id, score, index], i) => {
        const shard = indexes[index]!.shard;
        advance(position, score);
        const summary = toSummary(hashes[i]!);
        if (!summary) stale[shard]!.push(id);
        else if (matches(summary)) items.push(summary);
      });
    }
    // Members whose record expired: dropped as they are met, so reads never pile them up.
    await Promise.all(
      indexes.map(({ key, shard }) =>
        stale[shard]!.length > 0 ? this.redis.client.zrem(key, ...stale[shard]!) : undefined,
      ),
    );
    return more ? { items, nextCursor: `${position.max}.${position.skip}` } : { items };
  }

  /**
   * The next `want` + 1 entries below `position` of the union of `indexes`, newest first, in
   * the order one sorted set holding them all would give (score, then member, both descending),
   * so a cursor means the same whichever sets (channel sets, shards) its page was read from:
   * one ZRANGE BYSCORE per set, from `position.max` down. With one set the skip is Redis's
   * own; with several, each is read from the top of `position`'s score (a set cannot tell which
   * of the `skip` entries already seen were its own) and the merge drops `skip`. Each entry
   * names the set it came from.
   */
  private async read(
    indexes: readonly string[],
    position: Position,
    since: number,
    want: number,
  ): Promise<[id: string, score: number, index: number][]> {
    const replies = await Promise.all(
      indexes.map(
        (index) =>
          this.redis.client.call(
            'ZRANGE',
            index,
            bound(position.max),
            bound(since),
            'BYSCORE',
            'REV',
            'LIMIT',
            // One set: the skip is its own, as Redis counts it.
            indexes.length === 1 ? position.skip : 0,
            indexes.length === 1 ? want + 1 : position.skip + want + 1,
            'WITHSCORES',
          ) as Promise<(string | [string, string])[]>,
      ),
    );
    if (replies.length === 1) return withScores(replies[0]!).map(([id, score]) => [id, score, 0]);
    const merged = replies.flatMap((reply, index) =>
      withScores(reply).map(([id, score]): [string, number, number] => [id, score, index]),
    );
    merged.sort(([a, x], [b, y]) => y - x || (a < b ? 1 : a > b ? -1 : 0));
    return merged.slice(position.skip, position.skip + want + 1);
  }
}

/** WITHSCORES pairs: nested under RESP3, flat under RESP2. */
function withScores(reply: (string | [string, string])[]): [string, number][] {
  const entries: [string, number][] = [];
  for (let i = 0; i < reply.length; i++) {
    const item = reply[i]!;
    if (Array.isArray(item)) entries.push([item[0], Number(item[1])]);
    else entries.push([item, Number(reply[++i])]);
  }
  return entries;
}

function advance(position: Position, score: number): void {
  if (score === position.max) position.skip += 1;
  else {
    position.max = score;
    position.skip = 1;
  }
}

function parseCursor(cursor: string): Position {
  const [max, skip] = cursor.split('.').map(Number) as [number, number];
  return { max, skip };
}

function bound(ms: number): string {
  return ms === Infinity ? '+inf' : ms === -Infinity ? '-inf' : String(ms);
}

function invalid(field: string, message: string): HeraldError {
  return new HeraldError('validation_failed', `Invalid field: ${field}.`, {
    errors: [{ field, message }],
  });
}
