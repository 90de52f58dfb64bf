/**
 * The Lua scripts behind {@link NotificationAcceptanceStore}: a REST acceptance is one MULTI of
 * CLAIM_AND_WRITE, BullMQ's own job-adding script and KEEP_IF_QUEUED, so the claim, the record,
 * its indexes, the job and the completed key land together or not at all, in one round trip.
 * Idempotency entries are laid out as IdempotencyStore keeps them.
 */
import { COMPLETE_ENTRY_LUA, FIND_CLAIM_LUA } from '../idempotency/idempotency.store';

/**
 * Claims the idempotency key (when there is one) and writes the record and its indexes, unless a
 * recipient is on the suppression list of the notification's shard. The key
 * is written completed, with its answer, at once: nothing runs between the scripts of a MULTI,
 * so no other request could see it in flight, and KEEP_IF_QUEUED takes it back (in the same
 * transaction) when the job did not land.
 * KEYS: idempotency entry (for a request without a key, the record's again: a cluster refuses
 * an empty key name, which hashes to another slot), record, the suppression list to check (the
 * record's again for none), then the indexes it joins.
 * ARGV: fingerprint ('' for a request without a key), owner, id, the answer a replay gives,
 * the entry's ttl (s), record ttl (s), score in the indexes (epoch ms), index expiry (epoch s;
 * '0' when every index already outlives it), n, the n recipient fields to look up in the list,
 * then the record's field/value pairs.
 * The claim is looked at first, so a key completed before its recipient was suppressed still
 * replays. Returns {'new'} when written, {'suppressed'} when a recipient is listed, else what the
 * claim found (see FIND_CLAIM_LUA); nothing is written but for {'new'}.
 */
export const CLAIM_AND_WRITE = `${COMPLETE_ENTRY_LUA}
if ARGV[1] ~= '' then
  local ikey, fp, owner = KEYS[1], ARGV[1], ARGV[2]
  ${FIND_CLAIM_LUA}
end
local n = tonumber(ARGV[9])
if n > 0 then
  local listed = redis.call('HMGET', KEYS[3], unpack(ARGV, 10, 9 + n))
  for i = 1, n do
    if listed[i] then return {'suppressed'} end
  end
end
-- FIND_CLAIM fell through: no entry is there (every entry holds its fingerprint), none to clear.
if ARGV[1] ~= '' then complete_entry(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], true) end
redis.call('HSET', KEYS[2], unpack(ARGV, 10 + n))
redis.call('EXPIRE', KEYS[2], ARGV[6])
for i = 4, #KEYS do
  redis.call('ZADD', KEYS[i], ARGV[7], ARGV[3])
  if ARGV[8] ~= '0' then
    -- An index outlives every record in it: set when new, else only lengthened.
    redis.call('EXPIREAT', KEYS[i], ARGV[8], 'NX')
    redis.call('EXPIREAT', KEYS[i], ARGV[8], 'GT')
  end
end
return {'new'}
`;

/**
 * Keeps a keyed acceptance only if its job is in the queue (BullMQ's add, queued between the
 * two scripts, did not fail): else takes back, in the same transaction, what CLAIM_AND_WRITE
 * wrote — this acceptance's entry, its record and index entries — so a key never answers for a
 * notification without a job. KEYS: job hash, idempotency entry, record, then the indexes.
 * ARGV: owner, id. Returns 1 when the job is there, else 0.
 */
export const KEEP_IF_QUEUED = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
-- A completed entry names its owner only when it is not the notification (see IdempotencyStore).
local e = redis.call('HMGET', KEYS[2], 'owner', 'id')
if (e[1] or e[2]) == ARGV[1] and e[2] == ARGV[2] then redis.call('DEL', KEYS[2]) end
redis.call('DEL', KEYS[3])
for i = 4, #KEYS do redis.call('ZREM', KEYS[i], ARGV[2]) end
return 0
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
