import { hash, randomUUID } from 'node:crypto';

/**
 * Notification shards (`HERALD_QUEUE_SHARDS`). Each shard has a key prefix of its own carrying
 * its own hash tag, so on a Redis Cluster all of a shard's keys sit in one slot and different
 * shards sit in different slots (spread over the masters). Every key of one notification
 * (record, attempts, events, idempotency claim, index entries, provider-message-id map, its
 * BullMQ jobs) is under its shard's prefix, so each script and MULTI touches one slot.
 *
 * The rules, which producers in other services follow too (README, Scaling out):
 * - prefix of shard k: with one shard, `HERALD_REDIS_PREFIX` itself (the key names Herald always
 *   had); with N > 1, the prefix with its hash tag `{t}` replaced by `{t-k}`, or, without a tag,
 *   the whole prefix `p` as the tag: `{p-k}`;
 * - shard of an idempotency key: the first 8 hex digits of the key's SHA-256, as a number, mod N
 *   (whatever its scope, so a key replays whichever shard queue it comes in on);
 * - shard of a notification id: its last 8 hex digits, as a number, mod N. Herald draws the id
 *   of a new notification and sets those digits to the nearest value on the shard it wants.
 */
export class QueueShards {
  /** Each shard's key prefix, by shard number. */
  readonly prefixes: readonly string[];

  /**
   * @param prefix `HERALD_REDIS_PREFIX`.
   * @param count `HERALD_QUEUE_SHARDS`.
   */
  constructor(
    prefix: string,
    readonly count: number,
  ) {
    this.prefixes = shardPrefixes(prefix, count);
  }

  /** Every shard number, in order. */
  get all(): number[] {
    return this.prefixes.map((_, k) => k);
  }

  /** The shard of notification `id`. */
  ofId(id: string): number {
    return shardOfId(id, this.count);
  }

  /** The shard of idempotency key `key`, whatever its scope. */
  ofKey(key: string): number {
    return shardOfKey(key, this.count);
  }

  /** A key under shard `shard`'s prefix: `key(2, 'ntf', id)` → `{herald-2}:ntf:<id>`. */
  key(shard: number, ...parts: string[]): string {
    // Concatenated, not an array joined: every key of every command is built here.
    let key = this.prefixes[shard] ?? '';
    for (const part of parts) key += `:${part}`;
    return key;
  }

  /** A new notification id on `shard`, or on any shard when none is asked for. */
  newId(shard?: number): string {
    return shard === undefined ? randomUUID() : idOnShard(shard, this.count);
  }
}

/** The key prefix of each of `count` shards (see {@link QueueShards}). */
export function shardPrefixes(prefix: string, count: number): string[] {
  if (count === 1) return [prefix];
  const tagged = /\{([^}]+)\}/.exec(prefix);
  return Array.from({ length: count }, (_, k) =>
    tagged
      ? `${prefix.slice(0, tagged.index)}{${tagged[1]}-${k}}${prefix.slice(tagged.index + tagged[0].length)}`
      : `{${prefix}-${k}}`,
  );
}

/** The shard of notification `id`: its last 8 hex digits mod `count` (0 for an id without). */
export function shardOfId(id: string, count: number): number {
  if (count === 1) return 0;
  const tail = Number.parseInt(id.slice(-8), 16);
  return Number.isNaN(tail) ? 0 : tail % count;
}

/** The shard of idempotency key `key`: the first 8 hex digits of its SHA-256, mod `count`. */
export function shardOfKey(key: string, count: number): number {
  if (count === 1) return 0;
  return Number.parseInt(hash('sha256', key, 'hex').slice(0, 8), 16) % count;
}

/**
 * A random UUID on `shard` of `count`: one drawn, its last 8 hex digits (random bits of a v4
 * UUID, no version or variant) replaced by the value on `shard` among the `count` consecutive
 * values they fall in. It keeps all but
 * log2(`count`) of its 122 random bits, at the cost of one draw (drawing until one falls on the
 * shard costs `count` draws, a tenth of a millisecond at 64).
 */
export function idOnShard(shard: number, count: number, draw: () => string = randomUUID): string {
  const id = draw();
  if (count === 1) return id;
  const tail = Number.parseInt(id.slice(-8), 16);
  let on = tail - (tail % count) + shard;
  if (on > 0xffffffff) on -= count;
  return `${id.slice(0, -8)}${on.toString(16).padStart(8, '0')}`;
}
