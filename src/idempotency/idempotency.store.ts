import { hash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { RedisService } from '../redis/redis.service';

/**
 * Seconds a claim lives while its request is being accepted. Short, so a process that dies
 * mid-acceptance frees the key by itself; long enough for any acceptance that is not stuck.
 */
export const IN_FLIGHT_TTL_SECONDS = 30;

/**
 * How a completed entry is kept, as a Lua fragment (expects no locals): `complete_entry(key, fp,
 * owner, id, answer, ttl)` writes the entry afresh with only what a replay and a re-run of its
 * owner need: the owner only when it is not the notification itself (a REST request's is), the
 * state not at all (an entry with an answer is completed). Written afresh so the hash is no
 * bigger than those fields (Redis keeps it as one small allocation; see IdempotencyStore).
 * `fresh`: the caller found no entry at `key` in this same script, so there is none to clear.
 */
export const COMPLETE_ENTRY_LUA = `
local function complete_entry(key, fp, owner, id, answer, ttl, fresh)
  if not fresh then redis.call('DEL', key) end
  if owner == id then
    redis.call('HSET', key, 'fp', fp, 'id', id, 'answer', answer)
  else
    redis.call('HSET', key, 'fp', fp, 'owner', owner, 'id', id, 'answer', answer)
  end
  redis.call('EXPIRE', key, ttl)
end
`;

/**
 * The look-up half of a claim as a Lua fragment: unless the key is free it returns what it
 * found, else it falls through. Expects locals ikey, fp, owner.
 * Entry: hash {fp, state: in_flight, owner, id} while in flight; {fp, id, answer, and owner when
 * not id} once completed ({@link COMPLETE_ENTRY_LUA}). Entries an earlier Herald wrote hold the
 * fingerprint in hex, the state and the owner always: they read the same.
 * Returns {'reused'} | {'owned', state, id} | {'in_flight'} | {'completed', id, answer}.
 */
export const FIND_CLAIM_LUA = `
local e = redis.call('HMGET', ikey, 'fp', 'state', 'owner', 'id', 'answer')
if e[1] then
  if e[1] ~= fp and e[1] ~= (string.gsub(fp, '.', function(c)
    return string.format('%02x', string.byte(c))
  end)) then return {'reused'} end
  local state = e[2] or (e[5] and 'completed') or 'in_flight'
  if (e[3] or e[4]) == owner then return {'owned', state, e[4]} end
  if state == 'in_flight' then return {'in_flight'} end
  return {'completed', e[4], e[5] or ''}
end
`;

/**
 * The claim step as a Lua fragment, for scripts that claim a key as one step of a larger write:
 * {@link FIND_CLAIM_LUA}, then, the key being free, it claims it for `owner` (in flight) and
 * falls through. Expects locals ikey, fp, owner, id, inflight_ttl.
 */
export const CLAIM_LUA = `${FIND_CLAIM_LUA}
redis.call('HSET', ikey, 'fp', fp, 'state', 'in_flight', 'owner', owner, 'id', id)
redis.call('EXPIRE', ikey, inflight_ttl)
`;

/**
 * Claims a key unless it exists, in one step, so two concurrent requests cannot both claim it.
 * Returns {'new'}, or what {@link CLAIM_LUA} found.
 */
const BEGIN = `
local ikey, fp, owner, id, inflight_ttl = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
${CLAIM_LUA}
return {'new'}
`;

/**
 * Marks a claim completed with its answer and the full retention. Only the owner may; an entry
 * that expired meanwhile is written afresh. Returns 1, or 0 when another owner holds the key.
 */
const COMPLETE = `${COMPLETE_ENTRY_LUA}
local e = redis.call('HMGET', KEYS[1], 'owner', 'id')
local holder = e[1] or e[2]
if holder and holder ~= ARGV[1] then return 0 end
complete_entry(KEYS[1], ARGV[2], ARGV[1], ARGV[3], ARGV[4], ARGV[5])
return 1
`;

/** Drops a claim that is still in flight, if this owner holds it. Returns 1 when dropped. */
const RELEASE = `
local e = redis.call('HMGET', KEYS[1], 'owner', 'state')
if e[1] == ARGV[1] and e[2] == 'in_flight' then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

interface ScriptedRedis {
  heraldIdemBegin(
    key: string,
    fp: Buffer | string,
    owner: string,
    id: string,
    ttl: number,
  ): Promise<string[]>;
  heraldIdemComplete(
    key: string,
    owner: string,
    fp: Buffer | string,
    id: string,
    answer: string,
    ttl: number,
  ): Promise<number>;
  heraldIdemRelease(key: string, owner: string): Promise<number>;
}

/** Who is claiming a key, and for which notification. */
export interface IdempotencyClaim {
  /** Scope of the key: `caller:<name>` for REST, `queue:<name>` for queue jobs. */
  readonly scope: string;
  /** The key as the caller gave it; stored only as a SHA-256 digest. */
  readonly key: string;
  /** SHA-256 of the canonical body (see `fingerprint`). */
  readonly fingerprint: string;
  /** Identifies this acceptance: a request's own notification id, or a queue job's id. */
  readonly owner: string;
  /** The notification id this claim will create. */
  readonly id: string;
  /**
   * The notification shard the entry lives on, with the notification it names: by default the
   * key's own (QueueShards.ofKey), so a key finds its entry whatever door it comes in by;
   * a queue job without a key names the shard of the queue it is on.
   */
  readonly shard?: number;
}

/** What claiming a key found. */
export type IdempotencyOutcome =
  /** Nobody had the key: it is now claimed (in flight) by this owner. */
  | { readonly kind: 'new' }
  /** This same owner claimed it before (a job running again), for notification `id`. */
  | { readonly kind: 'owned'; readonly id: string; readonly completed: boolean }
  /** Another owner completed it: replay `answer` (as stored by {@link IdempotencyStore.complete}). */
  | { readonly kind: 'completed'; readonly id: string; readonly answer: string }
  /** Another owner is still accepting it. */
  | { readonly kind: 'in_flight' }
  /** The key was used with another body. */
  | { readonly kind: 'reused' };

/**
 * Idempotency keys in Redis. Each key is claimed by a Lua script (check and claim
 * in one step), held `in_flight` for {@link IN_FLIGHT_TTL_SECONDS} while the notification is
 * accepted, then completed with the answer to replay for `HERALD_IDEMPOTENCY_TTL_SECONDS`.
 */
@Injectable()
export class IdempotencyStore {
  private readonly scripts: ScriptedRedis;

  constructor(
    private readonly redis: RedisService,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {
    redis.client.defineCommand('heraldIdemBegin', { numberOfKeys: 1, lua: BEGIN });
    redis.client.defineCommand('heraldIdemComplete', { numberOfKeys: 1, lua: COMPLETE });
    redis.client.defineCommand('heraldIdemRelease', { numberOfKeys: 1, lua: RELEASE });
    this.scripts = redis.client as unknown as ScriptedRedis;
  }

  /** Claims `claim.key` in its scope, or says who has it. */
  async begin(claim: IdempotencyClaim): Promise<IdempotencyOutcome> {
    return outcomeOf(
      await this.scripts.heraldIdemBegin(
        this.entryKey(claim.scope, claim.key, claim.shard),
        storedFingerprint(claim.fingerprint),
        claim.owner,
        claim.id,
        IN_FLIGHT_TTL_SECONDS,
      ),
    );
  }

  /**
   * Stores the answer to replay and keeps the key for the configured retention (plus
   * `extraSeconds`: a scheduled notification's wait until its send time).
   * Returns false when another owner took the key meanwhile (this claim had expired).
   */
  async complete(claim: IdempotencyClaim, answer: string, extraSeconds = 0): Promise<boolean> {
    const done = await this.scripts.heraldIdemComplete(
      this.entryKey(claim.scope, claim.key, claim.shard),
      claim.owner,
      storedFingerprint(claim.fingerprint),
      claim.id,
      answer,
      this.config.idempotency.ttlSeconds + extraSeconds,
    );
    return done === 1;
  }

  /** Frees a key whose acceptance failed, so the caller may try again at once. */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.scripts.heraldIdemRelease(
      this.entryKey(claim.scope, claim.key, claim.shard),
      claim.owner,
    );
  }

  /**
   * The Redis key of an entry, on `shard` (by default the key's own); the caller's key is
   * hashed, so any printable text is safe.
   */
  entryKey(scope: string, key: string, shard?: number): string {
    const digest = hash('sha256', key, 'hex');
    const shards = this.redis.shards;
    // The key's own shard is read off this same digest (QueueShards.ofKey), hashed once.
    const on = shard ?? Number.parseInt(digest.slice(0, 8), 16) % shards.count;
    return shards.key(on, 'idem', scope, digest);
  }
}

/**
 * A fingerprint as an entry keeps it: a SHA-256's 32 bytes, not its 64 hex characters (which
 * would also take the hash past the 64-byte values Redis keeps in one small allocation).
 */
export function storedFingerprint(hex: string): Buffer | string {
  return /^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : hex;
}

/** What a claim script ({@link CLAIM_LUA}, then `{'new'}`) answered. */
export function outcomeOf([kind, a, b]: string[]): IdempotencyOutcome {
  switch (kind) {
    case 'new':
      return { kind: 'new' };
    case 'owned':
      return { kind: 'owned', completed: a === 'completed', id: b! };
    case 'completed':
      return { kind: 'completed', id: a!, answer: b! };
    case 'in_flight':
      return { kind: 'in_flight' };
    default:
      return { kind: 'reused' };
  }
}
