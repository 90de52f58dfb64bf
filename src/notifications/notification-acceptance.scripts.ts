/**
 * The Lua scripts behind {@link NotificationAcceptanceStore}: a REST acceptance is one MULTI of
 * CLAIM_AND_WRITE, BullMQ's own job-adding script and COMPLETE_QUEUED, so the claim, the
 * record, its indexes, the job and the completed key land together or not at all, in one round
 * trip. Idempotency entries are laid out as IdempotencyStore keeps them.
 */
import { CLAIM_LUA, COMPLETE_ENTRY_LUA } from '../idempotency/idempotency.store';

/**
 * Claims the idempotency key (when there is one) and writes the record and its indexes.
 * KEYS: idempotency entry (for a request without a key, the record's again: a cluster refuses
 * an empty key name, which hashes to another slot), record, then the indexes it joins.
 * ARGV: fingerprint ('' for a request without a key), owner, id, in-flight ttl (s), record ttl (s), score in the indexes (epoch
 * ms), index expiry (epoch s; '0' when every index already outlives it), then the record's
 * field/value pairs.
 * Returns {'new'} when written, else what the claim found (see CLAIM_LUA); nothing is written then.
 */
export const CLAIM_AND_WRITE = `
if ARGV[1] ~= '' then
  local ikey, fp, owner, id, inflight_ttl = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
  ${CLAIM_LUA}
end
redis.call('HSET', KEYS[2], unpack(ARGV, 8))
redis.call('EXPIRE', KEYS[2], ARGV[5])
for i = 3, #KEYS do
  redis.call('ZADD', KEYS[i], ARGV[6], ARGV[3])
  if ARGV[7] ~= '0' then
    -- An index outlives every record in it: set when new, else only lengthened.
    redis.call('EXPIREAT', KEYS[i], ARGV[7], 'NX')
    redis.call('EXPIREAT', KEYS[i], ARGV[7], 'GT')
  end
end
return {'new'}
`;

/**
 * Completes the claim once the job is in the queue: only while this owner's claim is still in
 * flight and the job's hash exists (BullMQ's add did not fail). KEYS: idempotency entry, job
 * hash (the entry again when the notification rides the job being run, a producer's). ARGV:
 * owner, answer, ttl (s), '1' to check the job hash. Returns 1 when completed, else 0.
 */
export const COMPLETE_QUEUED = `${COMPLETE_ENTRY_LUA}
if ARGV[4] == '1' and redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local e = redis.call('HMGET', KEYS[1], 'owner', 'state', 'fp', 'id')
if e[1] ~= ARGV[1] or e[2] ~= 'in_flight' then return 0 end
complete_entry(KEYS[1], e[3], e[1], e[4], ARGV[2], ARGV[3])
return 1
`;

/**
 * Takes back an acceptance whose transaction failed or whose answer never came: the claim of
 * this owner (in flight or completed), the record and its index entries. Sent after the
 * transaction on the same connection, so it runs after it even when the transaction ran late.
 * KEYS: idempotency entry (the record's again for none), record, then the indexes. ARGV: owner
 * ('' for none), id.
 */
export const UNDO_ACCEPTANCE = `
if ARGV[1] ~= '' then
  -- A completed entry names its owner only when it is not the notification (see IdempotencyStore).
  local e = redis.call('HMGET', KEYS[1], 'owner', 'id')
  if (e[1] or e[2]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
end
redis.call('DEL', KEYS[2])
for i = 3, #KEYS do redis.call('ZREM', KEYS[i], ARGV[2]) end
return 1
`;
