import { CALLER_EVENT_KEYS, CALLER_EVENT_STATUSES } from '../contracts/caller-event';
import { INDEX_RETENTION_STEP_SECONDS } from './record-index';

/**
 * The Lua scripts behind {@link NotificationLifecycle}: every change of a record's status is one
 * of these, run atomically by Redis, conditional on the state it expects and on the token of the
 * delivery's owner (the BullMQ lock token of the job running the round).
 *
 * Record hash fields they use besides the record's own:
 * - `owner`, `ownerLock`: the token of the round that owns the delivery and the Redis key of its
 *   job's BullMQ lock (`<prefix>:<queue>:<jobId>:lock`), which holds that token while it lives.
 * - `ifOwner`, `ifProvider`, `ifRound`, `ifAt`, `ifUntil`: the provider call in flight, written
 *   before the call and cleared with its outcome. `ifUntil` (epoch ms, Redis clock) is the call's
 *   lease: its deadline plus a grace. While it runs the call may still answer, so nobody else
 *   sends; a marker that outlives it is a call whose outcome was never recorded (ambiguous).
 * - `deliveredBy`: the token that wrote `delivered`, so its writer may repeat the write safely.
 * - `budgetFrom`: the round count at the last re-drive; the round budget counts from it.
 * - `sendAtMs`: a `scheduled` notification's send time (epoch ms); no round starts before it.
 * - `step`, `fallback`, `route`, `fallbackAfterMs`: only on a notification with fallback steps.
 *   `step` is the index of the step being delivered (0: the message itself); `fallback` the
 *   JSON list of the later steps (`{channel, to, message}`, `to` masked, `message` the JSON the
 *   step sends); `route` the JSON list of the steps started so far. Every owner check compares
 *   the step too, so a worker of an earlier step can never write into a later one, and the
 *   attempts and events such a record gains name their step.
 *
 * State lists (`ARGV` "a,b") come from the transition table in notification-lifecycle.ts.
 */

const COMMON = `
-- Read once per script: a script runs atomically, so one instant serves all of it.
local script_now
local function now_ms()
  if not script_now then
    local t = redis.call('TIME')
    script_now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return script_now
end
local function member(value, list)
  if not value then return false end
  for s in string.gmatch(list, '[^,]+') do
    if s == value then return true end
  end
  return false
end
local IF_FIELDS = {'ifOwner', 'ifProvider', 'ifRound', 'ifAt', 'ifUntil'}
-- Keeps the list indexes (see record-index.ts) in step with a status change, in the same
-- script: the record moves from its current status's sets to status 'to', and every index
-- holding it lives at least as long as the record (ttl s); a caller-visible status also goes
-- to the caller-events outbox. Call before writing the status.
-- The index keys (and the caller-event keys below) are derived from the record's key, so
-- they are not declared in KEYS: they are under the same shard prefix, so they carry its hash
-- tag and share its slot, which is all a Redis Cluster checks. The record's 'ixUntil' (epoch s) is the expiry its indexes
-- were given; only once the record would outlive it are they all lengthened, by a step
-- (INDEX_RETENTION_STEP_SECONDS), so most transitions check one key's TTL per scope.
-- A script that read the record already passes \`f\` (its id, caller, status, createdAtMs, channel
-- and ixUntil, as read before any write of this script) and \`set\`, the fields it writes
-- afterwards, to which the new ixUntil is added instead of being written here.
local INDEX_STEP_S = ${INDEX_RETENTION_STEP_SECONDS}
local function keep_until(key, at, now_s)
  local left = redis.call('TTL', key)
  if left == -2 or (left >= 0 and now_s + left >= at) then return end
  redis.call('EXPIREAT', key, at)
end
-- A move into a status the caller hears about is also an event for its caller: one entry in
-- the caller-events outbox (see contracts/caller-event.ts), written in this same script so an
-- event is neither lost nor invented. Skipped when the caller has no event endpoint.
local CALLER_EVENT_STATUSES = ',${CALLER_EVENT_STATUSES.join(',')},'
local function caller_event(prefix, f, to)
  if f[3] == to or not string.find(CALLER_EVENT_STATUSES, ',' .. to .. ',', 1, true) then return end
  if redis.call('EXISTS', prefix .. ':${CALLER_EVENT_KEYS.endpoint}:' .. f[2]) == 0 then return end
  redis.call('XADD', prefix .. ':${CALLER_EVENT_KEYS.outbox}', '*',
    'n', f[1], 'c', f[2], 's', to, 't', tostring(now_ms()))
end
local function reindex(rkey, to, ttl, f, set)
  f = f or redis.call('HMGET', rkey, 'id', 'caller', 'status', 'createdAtMs', 'channel', 'ixUntil')
  if not f[4] then return end
  local prefix = string.match(rkey, '^(.*):ntf:[^:]+$')
  caller_event(prefix, f, to)
  local base = prefix .. ':nidx:'
  local now_s = math.floor(now_ms() / 1000)
  local at = tonumber(f[6] or '0')
  local all = at < now_s + tonumber(ttl)
  if all then
    at = now_s + tonumber(ttl) + INDEX_STEP_S
    if set then set.ixUntil = at else redis.call('HSET', rkey, 'ixUntil', at) end
  end
  for _, scope in ipairs({'c:' .. f[2], 'all'}) do
    local idx = base .. scope
    if f[3] ~= to then
      redis.call('ZREM', idx .. ':s:' .. f[3], f[1])
      redis.call('ZADD', idx .. ':s:' .. to, f[4], f[1])
    end
    keep_until(idx .. ':s:' .. to, at, now_s)
    if all then keep_until(idx .. ':ch:' .. f[5], at, now_s) end
  end
end
-- Once a provider has the message nothing sends it again: its body and the round's owner are
-- dropped, and the hash is written afresh, since Redis keeps a hash compact (one allocation for
-- all fields) only if it never held a value over 64 bytes, as the message is. Call last: the
-- fields written before are kept.
-- A notification with fallback steps keeps the messages of the steps after the current one (a
-- bounce may still start them); those of the steps already started are dropped, and the whole
-- 'fallback' field once no step follows.
local DEAD_AFTER_SEND = {message = true, owner = true, ownerLock = true}
local function pending_fallback(raw, step)
  local steps = cjson.decode(raw)
  if step >= #steps then return nil end
  for i = 1, step do steps[i].message = nil end
  return cjson.encode(steps)
end
-- \`set\` (field → value) is written in the same pass and the fields named in \`drop\` are left
-- out, so the transition that calls this reads and writes the hash once. \`all\`: the hash as
-- HGETALL returned it, when the caller read it already (and wrote it since only through \`set\`).
local function compact_after_send(rkey, set, drop, all)
  set = set or {}
  drop = drop or {}
  all = all or redis.call('HGETALL', rkey)
  local kept = {}
  local step = 0
  for i = 1, #all, 2 do
    if all[i] == 'step' then step = tonumber(all[i + 1]) end
  end
  for i = 1, #all, 2 do
    local name, value = all[i], all[i + 1]
    if name == 'fallback' then value = pending_fallback(value, step) end
    if value and not DEAD_AFTER_SEND[name] and not drop[name] and set[name] == nil then
      kept[#kept + 1] = name
      kept[#kept + 1] = value
    end
  end
  for name, value in pairs(set) do
    kept[#kept + 1] = name
    kept[#kept + 1] = value
  end
  redis.call('DEL', rkey)
  redis.call('HSET', rkey, unpack(kept))
end
local function interrupted_attempt(f, detail)
  return cjson.encode({provider = f[2], at = f[4], outcome = 'failed', detail = detail,
    latencyMs = 0, ambiguous = true, round = tonumber(f[3])})
end

-- The step a record is at: nil for a record without fallback steps (step 0 by definition).
local function step_of(rkey)
  return redis.call('HGET', rkey, 'step')
end
-- Whether \`step\` (a job's or an owner's) is the record's current step.
local function at_step(rkey, step)
  return (step_of(rkey) or '0') == step
end
-- An attempt or event JSON naming its step, on a record with fallback steps (others unchanged).
local function stepped(json, step)
  if not step then return json end
  return '{"step":' .. step .. ',' .. string.sub(json, 2)
end
local function bare_id(pmid)
  return (string.gsub(pmid, '^<(.*)>$', '%1'))
end
local ABANDONED = 'abandoned: the step was superseded by its fallback; the provider may have accepted it'
-- The first step from index \`from\` on whose recipients intake did not find suppressed, and it.
local function next_open(steps, from)
  local n = from
  while steps[n] and steps[n].suppressed do n = n + 1 end
  return n, steps[n]
end
-- Ends the record's current step (its route entry takes status \`ended\` and \`reason\`) and
-- starts the next one, \`queued\` with its own message and a fresh round budget; steps whose
-- recipients are suppressed are passed over, their route entries ended \`suppressed\`. A call still in
-- flight is recorded as an ambiguous attempt of the ended step and its marker cleared, so its
-- late answer finds neither its owner nor its step. \`from\` and \`to\` are the transition's
-- (TRANSITIONS.nextStep). Returns nil when the step is the last (or the status is not one a
-- step ends from), else {from channel, to channel, next step, '1' when a step follows it,
-- fallbackAfterMs or ''}.
local function advance(rkey, akey, ended, reason, now, ttl, failure, from, to)
  local f = redis.call('HMGET', rkey, 'step', 'fallback', 'route', 'provider', 'providerMessageId',
    'sentAt', 'rounds', 'fallbackAfterMs', 'status')
  if not f[2] or not member(f[9], from) then return nil end
  local step = tonumber(f[1] or '0')
  local steps = cjson.decode(f[2])
  local n, nxt = next_open(steps, step + 1)
  if not nxt then return nil end
  local route = cjson.decode(f[3])
  local cur = route[#route]
  cur.status = ended
  cur.reason = reason
  cur.endedAt = now
  if f[4] then cur.provider = f[4] end
  if f[5] then cur.providerMessageId = f[5] end
  if f[6] then cur.sentAt = f[6] end
  if failure ~= '' then cur.failure = cjson.decode(failure) end
  for i = step + 1, n - 1 do
    route[#route + 1] = {step = i, channel = steps[i].channel, to = steps[i].to,
      status = 'suppressed', reason = 'suppressed', startedAt = now, endedAt = now}
  end
  route[#route + 1] = {step = n, channel = nxt.channel, to = nxt.to, startedAt = now}
  local inflight = redis.call('HMGET', rkey, 'ifOwner', 'ifProvider', 'ifRound', 'ifAt', 'ifUntil')
  if inflight[1] then
    redis.call('RPUSH', akey, stepped(interrupted_attempt(inflight, ABANDONED), tostring(step)))
  end
  reindex(rkey, to, ttl)
  redis.call('HSET', rkey, 'status', to, 'step', tostring(n), 'message', nxt.message,
    'route', cjson.encode(route), 'budgetFrom', f[7] or '0', 'updatedAt', now)
  redis.call('HDEL', rkey, 'owner', 'ownerLock', 'provider', 'providerMessageId', 'sentAt',
    'deliveredAt', 'failure', 'failedAt', 'nextAttemptAt', 'eventAt', 'deliveredBy',
    unpack(IF_FIELDS))
  redis.call('EXPIRE', rkey, ttl)
  redis.call('EXPIRE', akey, ttl)
  local _, later = next_open(steps, n + 1)
  return {cur.channel, nxt.channel, tostring(n), later and '1' or '0', f[8] or ''}
end
`;

/**
 * Starts a round for `token`. KEYS: record, attempts, this job's lock, this job's hash (the
 * record's again for none). ARGV: token, now (ISO), ttl (s), startable states, final states, interrupted detail,
 * the job's step, the first call the owner would make now: 'channel=provider=leaseMs;…' (one
 * entry per channel whose first provider it may call at once; '' for none), and the job's data
 * to write ('' for none).
 * When the message's first provider is that channel's entry and `token` holds the job's lock,
 * the round's first in-flight marker is written here, as BEGIN_CALL would write it (at = now),
 * saving the owner that round trip. The job's data, when given, replaces the job hash's `data`
 * (as BullMQ's `Job.updateData` does) whatever the outcome, so a job keeps only what its next
 * run needs without a round trip of its own.
 * One read of the record and one write: a round's start is the hot path of every delivery.
 * Returns {'gone'} | {'other_step', step, status} (the job is for a step that is not current) |
 *   {'final', status} | {'busy', waitMs} |
 *   {'not_startable', status} | {'not_yet', waitMs} |
 *   {'started', round, budgetFrom, message, previous, interrupted, begun provider or ''}.
 */
export const START_ROUND = `${COMMON}
if KEYS[4] ~= KEYS[1] and ARGV[9] and ARGV[9] ~= '' and redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('HSET', KEYS[4], 'data', ARGV[9])
end
local f = redis.call('HMGET', KEYS[1], 'status', 'owner', 'ownerLock', 'rounds', 'budgetFrom',
  'message', 'step', 'ifOwner', 'ifProvider', 'ifRound', 'ifAt', 'ifUntil', 'nextAttemptAt', 'sendAtMs',
  'id', 'caller', 'createdAtMs', 'channel', 'ixUntil')
local status, owner, ownerLock = f[1], f[2], f[3]
if not status then return {'gone'} end
local step = f[7]
if (step or '0') ~= ARGV[7] then return {'other_step', step or '0', status} end
if member(status, ARGV[5]) then return {'final', status} end
local inflight = {f[8], f[9], f[10], f[11], f[12]}
local now = now_ms()
if inflight[1] and inflight[1] ~= ARGV[1] and tonumber(inflight[5]) > now then
  return {'busy', tonumber(inflight[5]) - now}
end
if owner and owner ~= ARGV[1] and ownerLock and ownerLock ~= KEYS[3]
    and redis.call('GET', ownerLock) == owner then
  local left = redis.call('PTTL', ownerLock)
  return {'busy', left > 0 and left or 1000}
end
if not member(status, ARGV[4]) then return {'not_startable', status} end
if status == 'scheduled' then
  local at = tonumber(f[14] or '0')
  if at > now then return {'not_yet', at - now} end
end
local interrupted = ''
if inflight[1] then
  redis.call('RPUSH', KEYS[2], stepped(interrupted_attempt(inflight, ARGV[6]), step))
  redis.call('HDEL', KEYS[1], unpack(IF_FIELDS))
  interrupted = inflight[2]
end
local rounds = tonumber(f[4] or '0') + 1
local ix = {}
reindex(KEYS[1], 'sending', ARGV[3], {f[15], f[16], status, f[17], f[18], f[19]}, ix)
local fields = {'rounds', rounds, 'status', 'sending', 'owner', ARGV[1], 'ownerLock', KEYS[3],
  'updatedAt', ARGV[2]}
if ix.ixUntil then
  fields[#fields + 1] = 'ixUntil'
  fields[#fields + 1] = ix.ixUntil
end
local begun = ''
if ARGV[8] and ARGV[8] ~= '' and f[6] and redis.call('GET', KEYS[3]) == ARGV[1] then
  local ok, m = pcall(cjson.decode, f[6])
  if ok and type(m) == 'table' and type(m.channel) == 'string' then
    local provider, lease = string.match(';' .. ARGV[8], ';' .. m.channel .. '=([^=;]+)=(%d+)')
    local first = provider
    if type(m.providers) == 'table' then first = m.providers[1] end
    if provider and first == provider then
      for _, v in ipairs({'ifOwner', ARGV[1], 'ifProvider', provider, 'ifRound', rounds,
          'ifAt', ARGV[2], 'ifUntil', tostring(now + tonumber(lease))}) do
        fields[#fields + 1] = v
      end
      begun = provider
    end
  end
end
redis.call('HSET', KEYS[1], unpack(fields))
if f[13] then redis.call('HDEL', KEYS[1], 'nextAttemptAt') end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return {'started', rounds, tonumber(f[5] or '0'), f[6] or '', status, interrupted, begun}
`;

/**
 * Before a provider call: checks that `token` still holds its job's lock and owns the record in
 * a sending state, and writes the in-flight marker. KEYS: record, lock.
 * ARGV: token, provider, round, at (ISO), lease (ms), sending states, step. Returns 1, or 0 when
 * not the owner.
 */
export const BEGIN_CALL = `${COMMON}
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
local f = redis.call('HMGET', KEYS[1], 'status', 'owner', 'step')
if (f[3] or '0') ~= ARGV[7] then return 0 end
if f[2] ~= ARGV[1] or not member(f[1], ARGV[6]) then return 0 end
redis.call('HSET', KEYS[1], 'ifOwner', ARGV[1], 'ifProvider', ARGV[2], 'ifRound', ARGV[3],
  'ifAt', ARGV[4], 'ifUntil', tostring(now_ms() + tonumber(ARGV[5])))
return 1
`;

/**
 * Appends an attempt (a failed call or a skip) for the owner. KEYS: record, attempts.
 * ARGV: token, attempt JSON, clear in-flight marker (1|0), now (ISO), ttl, sending states, step.
 * Returns 1, or 0 when `token` does not own the record at that step.
 */
export const APPEND_ATTEMPT = `${COMMON}
local f = redis.call('HMGET', KEYS[1], 'status', 'owner', 'step')
if f[2] ~= ARGV[1] or not member(f[1], ARGV[6]) or (f[3] or '0') ~= ARGV[7] then return 0 end
redis.call('RPUSH', KEYS[2], stepped(ARGV[2], f[3]))
if ARGV[3] == '1' then redis.call('HDEL', KEYS[1], unpack(IF_FIELDS)) end
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1
`;

/**
 * A provider accepted the message. KEYS: record, attempts, provider message index (the record
 * again for none).
 * ARGV: token, accepted status, provider, provider message id, attempt JSON, now (ISO), ttl,
 * from states, accepted states, notification id, step, the attempt as a `sentCall` field ('' when
 * it cannot be one; see sent-call.ts). The attempt is that field when the record has no other
 * attempt and no fallback steps, else appended. Writes `sentAt` (and `deliveredAt` when
 * the acceptance is the delivery, as for chat), and drops what no later step needs (the message,
 * the round's owner, the started steps' messages) so the record is kept compact for the rest of
 * its retention.
 * Also from `failed` when the job was failed while this very call was still in flight (its
 * marker is the owner's): the provider's answer is the truth. Returns 1 (written now or
 * earlier by this token), or 0 when `token` does not own the record.
 */
export const MARK_ACCEPTED = `${COMMON}
-- The whole hash, read once: the checks, the index move and the compact rewrite all use it.
local all = redis.call('HGETALL', KEYS[1])
local h = {}
for i = 1, #all, 2 do h[all[i]] = all[i + 1] end
local f = {h.status, h.owner, h.ifOwner, h.deliveredBy, h.step}
if (f[5] or '0') ~= ARGV[11] then return 0 end
if member(f[1], ARGV[9]) then return f[4] == ARGV[1] and 1 or 0 end
if f[2] ~= ARGV[1] then return 0 end
if not (member(f[1], ARGV[8]) or (f[1] == 'failed' and f[3] == ARGV[1])) then return 0 end
-- The attempts list's retention is lengthened first: 0 says there is no list, no attempt before.
local listed = redis.call('EXPIRE', KEYS[2], ARGV[7]) == 1
local step = f[5]
local sent_call = {}
if ARGV[12] and ARGV[12] ~= '' and not step and not listed then sent_call = {'sentCall', ARGV[12]} end
local set = {status = ARGV[2], provider = ARGV[3], providerMessageId = ARGV[4],
  sentAt = ARGV[6], updatedAt = ARGV[6], deliveredBy = ARGV[1]}
reindex(KEYS[1], ARGV[2], ARGV[7], {h.id, h.caller, h.status, h.createdAtMs, h.channel, h.ixUntil}, set)
if ARGV[2] == 'delivered' then set.deliveredAt = ARGV[6] end
if #sent_call > 0 then set.sentCall = ARGV[12] end
local drop = {failure = true, failedAt = true, nextAttemptAt = true}
for _, name in ipairs(IF_FIELDS) do drop[name] = true end
if #sent_call == 0 then
  redis.call('RPUSH', KEYS[2], stepped(ARGV[5], step))
  if not listed then redis.call('EXPIRE', KEYS[2], ARGV[7]) end
end
compact_after_send(KEYS[1], set, drop, all)
redis.call('EXPIRE', KEYS[1], ARGV[7])
if KEYS[3] ~= KEYS[1] then redis.call('SET', KEYS[3], ARGV[10], 'EX', ARGV[7]) end
return 1
`;

/**
 * Ends the owner's round: `waiting` (back to queued until `nextAttemptAt`) or `failed`.
 * KEYS: record. ARGV: token, to status, now (ISO), ttl, from states, step, then field/value
 * pairs. Returns 1, or 0 when `token` does not own the record at that step.
 */
export const END_ROUND = `${COMMON}
local f = redis.call('HMGET', KEYS[1], 'status', 'owner', 'step', 'id', 'caller', 'createdAtMs',
  'channel', 'ixUntil')
if f[2] ~= ARGV[1] or not member(f[1], ARGV[5]) or (f[3] or '0') ~= ARGV[6] then return 0 end
local ix = {}
reindex(KEYS[1], ARGV[2], ARGV[4], {f[4], f[5], f[1], f[6], f[7], f[8]}, ix)
local fields = {'status', ARGV[2], 'updatedAt', ARGV[3]}
if ix.ixUntil then
  fields[#fields + 1] = 'ixUntil'
  fields[#fields + 1] = ix.ixUntil
end
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('HDEL', KEYS[1], 'owner', unpack(IF_FIELDS))
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
`;

/**
 * The owner's round fails its step for good (rejected, or rounds exhausted): the next fallback
 * step starts, or, at the last step, the notification is `failed`. KEYS: record, attempts.
 * ARGV: token, now (ISO), ttl, from states, failure JSON, step, next-step from states, next-step
 * status. Returns {0} when `token` does not own the record at that step, {1} when failed, {2, from channel, to channel, next step,
 * more, fallbackAfterMs} when the next step started.
 */
export const FAIL_STEP = `${COMMON}
local f = redis.call('HMGET', KEYS[1], 'status', 'owner')
if f[2] ~= ARGV[1] or not member(f[1], ARGV[4]) or not at_step(KEYS[1], ARGV[6]) then return {0} end
local moved = advance(KEYS[1], KEYS[2], 'failed', 'failed', ARGV[2], ARGV[3], ARGV[5], ARGV[7], ARGV[8])
if moved then return {2, unpack(moved)} end
reindex(KEYS[1], 'failed', ARGV[3])
redis.call('HSET', KEYS[1], 'status', 'failed', 'failure', ARGV[5], 'failedAt', ARGV[2], 'updatedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'owner', unpack(IF_FIELDS))
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {1}
`;

/**
 * A step's \`fallbackAfterSeconds\` ran out. KEYS: record, attempts. ARGV: step, now (ISO), ttl,
 * states a step is still unsent in, next-step from states, next-step status. When the record is still at that step and not sent, the
 * next step supersedes it (a call in flight becomes an ambiguous attempt whose late answer
 * cannot write). Returns {'gone'} | {'other_step', step, status} | {'kept', status} |
 * {'advanced', from channel, to channel, next step, more, fallbackAfterMs}.
 */
export const STEP_TIMEOUT = `${COMMON}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'gone'} end
if not at_step(KEYS[1], ARGV[1]) then return {'other_step', step_of(KEYS[1]) or '0', status} end
if not member(status, ARGV[4]) then return {'kept', status} end
local moved = advance(KEYS[1], KEYS[2], status, 'timeout', ARGV[2], ARGV[3], '', ARGV[5], ARGV[6])
if not moved then return {'kept', status} end
return {'advanced', unpack(moved)}
`;

/**
 * A job failed for good outside a round's own decision (stalled too often, an unexpected
 * error): its record must not stay `queued` or `sending`. KEYS: record, attempts, the job's lock.
 * ARGV: failure JSON, now (ISO), ttl, from states, interrupted detail, the job's step,
 * next-step from states, next-step status.
 * Only when the record is not owned by another job's round and is at the job's step. A call
 * still within its lease keeps its marker, so its answer can still be written, unless a
 * fallback step follows: then the step ends, the next starts, and the call is abandoned.
 * Returns {1} when failed now, {2, from channel, to channel, next step, more,
 * fallbackAfterMs} when the next step started, else {0}.
 */
export const FAIL_ORPHAN = `${COMMON}
local f = redis.call('HMGET', KEYS[1], 'status', 'ownerLock')
if not member(f[1], ARGV[4]) then return {0} end
if f[2] and f[2] ~= KEYS[3] then return {0} end
if not at_step(KEYS[1], ARGV[6]) then return {0} end
local inflight = redis.call('HMGET', KEYS[1], 'ifOwner', 'ifProvider', 'ifRound', 'ifAt', 'ifUntil')
if inflight[1] and tonumber(inflight[5]) <= now_ms() then
  redis.call('RPUSH', KEYS[2], stepped(interrupted_attempt(inflight, ARGV[5]), step_of(KEYS[1])))
  redis.call('HDEL', KEYS[1], unpack(IF_FIELDS))
end
local moved = advance(KEYS[1], KEYS[2], 'failed', 'failed', ARGV[2], ARGV[3], ARGV[1], ARGV[7], ARGV[8])
if moved then return {2, unpack(moved)} end
reindex(KEYS[1], 'failed', ARGV[3])
redis.call('HSET', KEYS[1], 'status', 'failed', 'failure', ARGV[1], 'failedAt', ARGV[2], 'updatedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'nextAttemptAt')
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return {1}
`;

/**
 * Re-drives a failed notification: queued again, rounds keep counting, the budget restarts from
 * here, and a re-drive marker joins the history. KEYS: record, attempts.
 * ARGV: now (ISO), ttl, from states, marker JSON prefix. Returns 1 | 0 (not failed) |
 * -1 (gone) | 2 (failed as rejected: sending again would be refused again).
 */
export const REDRIVE = `${COMMON}
local f = redis.call('HMGET', KEYS[1], 'status', 'failure', 'rounds')
if not f[1] then return -1 end
if not member(f[1], ARGV[3]) then return 0 end
if f[2] then
  local ok, failure = pcall(cjson.decode, f[2])
  if ok and failure.errorClass == 'rejected' then return 2 end
end
local rounds = tonumber(f[3] or '0')
reindex(KEYS[1], 'queued', ARGV[2])
redis.call('HSET', KEYS[1], 'status', 'queued', 'budgetFrom', rounds, 'updatedAt', ARGV[1])
redis.call('HDEL', KEYS[1], 'failure', 'failedAt', 'owner', 'ownerLock', 'nextAttemptAt')
redis.call('RPUSH', KEYS[2], cjson.encode({redrive = true, at = ARGV[1], afterRound = rounds}))
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
`;

/**
 * Cancels a notification no round is sending. KEYS: record. ARGV: now (ISO), ttl, from states,
 * to status. A call still within its lease (left by a round that lost its job) counts as being
 * sent: its answer may still come. Returns {'cancelled'} | {'gone'} | {'not_cancellable', status}.
 */
export const CANCEL = `${COMMON}
local f = redis.call('HMGET', KEYS[1], 'status', 'ifOwner', 'ifUntil')
if not f[1] then return {'gone'} end
if not member(f[1], ARGV[3]) then return {'not_cancellable', f[1]} end
if f[2] and tonumber(f[3]) > now_ms() then return {'not_cancellable', 'sending'} end
reindex(KEYS[1], ARGV[4], ARGV[2])
redis.call('HSET', KEYS[1], 'status', ARGV[4], 'cancelledAt', ARGV[1], 'updatedAt', ARGV[1])
redis.call('HDEL', KEYS[1], 'nextAttemptAt', 'owner', 'ownerLock')
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {'cancelled'}
`;

/**
 * The per-recipient states of an e-mail sent to several recipients (the record's `recipients`
 * field, a JSON list of {to, h, s, at}; see recipient-states.ts), for APPLY_EVENT.
 * recipient_event moves the recipients whose match key `h` is in `keys` from a `from` state
 * (none yet counts as `sent`) to `to`, unless a newer event set theirs, then says what the
 * notification does: `bounced` or `undelivered` as soon as one recipient is, `complained` when
 * one complains, `delivered` only once every recipient is, and otherwise it stays as it is.
 * Returns the status to move to ('' for none) and that state's time (for `delivered`, the last
 * recipient's). An event naming no recipient of the list applies to the notification as such:
 * (to, at) come back unchanged.
 */
const RECIPIENT_STATES = `
local ANY_RECIPIENT = {'bounced', 'undelivered', 'complained'}
local function recipient_event(rkey, raw, keys, to, from, at)
  local ok, list = pcall(cjson.decode, raw)
  if not ok or type(list) ~= 'table' then return to, at end
  local matched = false
  for _, r in ipairs(list) do
    if member(r.h, keys) then
      matched = true
      if member(r.s or 'sent', from) and (not r.at or r.at <= at) then
        r.s = to
        r.at = at
      end
    end
  end
  if not matched then return to, at end
  redis.call('HSET', rkey, 'recipients', cjson.encode(list))
  local count, latest = {}, at
  for _, r in ipairs(list) do
    local s = r.s or 'sent'
    count[s] = (count[s] or 0) + 1
    if r.at and r.at > latest then latest = r.at end
  end
  for _, s in ipairs(ANY_RECIPIENT) do
    if count[s] then return s == to and to or '', at end
  end
  if count['delivered'] == #list and to == 'delivered' then return to, latest end
  return '', at
end
`;

/**
 * Records a provider event once. KEYS: record, events, the event id's de-duplication key,
 * attempts, the suppression list the event adds to (the record again for none).
 * ARGV: event JSON, to status ('' when the event moves nothing), from states, now (ISO), ttl,
 * event time (ISO), provider, provider message id (bare), statuses that end a step when a
 * fallback step follows, next-step from states, next-step status, the match keys of the
 * recipients the event names (comma-separated, '' for none), then suppression field/entry
 * pairs. An event id seen before (within the record's retention) does nothing. For an e-mail
 * to several recipients, an event naming some of them moves their states and the status
 * follows them (see RECIPIENT_STATES).
 * The event is always appended, and its recipients put on the suppression list unless there
 * already (in the same step, so a stored event never misses its suppression and a repeated
 * one never adds twice). The status moves only from a `from` state, and never for an event
 * older than the one that set the current status (`eventAt`): events may arrive out of order;
 * and, on a record with fallback steps, only for an event about the current step's message (an
 * earlier step's is recorded, naming its step). An event that ends the current step starts the
 * next one. Returns {'gone'} | {'duplicate', status, step} | {'moved', status, added} |
 * {'kept', status, added} | {'advanced', status, added, from channel, to channel, next step,
 * more, fallbackAfterMs}.
 */
export const APPLY_EVENT = `${COMMON}${RECIPIENT_STATES}
local f = redis.call('HMGET', KEYS[1], 'status', 'eventAt', 'step', 'provider', 'providerMessageId', 'recipients')
if not f[1] then return {'gone'} end
if not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[5]) then return {'duplicate', f[1], f[3] or '0'} end
local event = ARGV[1]
local current = true
if f[3] then
  local step = f[3]
  if f[4] ~= ARGV[7] or not f[5] or bare_id(f[5]) ~= ARGV[8] then
    current = false
    step = '-1'
    for _, r in ipairs(cjson.decode(redis.call('HGET', KEYS[1], 'route') or '[]')) do
      if r.provider == ARGV[7] and r.providerMessageId and bare_id(r.providerMessageId) == ARGV[8] then
        step = tostring(r.step)
      end
    end
  end
  event = stepped(event, step)
end
redis.call('RPUSH', KEYS[2], event)
redis.call('EXPIRE', KEYS[2], ARGV[5])
local added = 0
if KEYS[5] ~= KEYS[1] then
  for i = 13, #ARGV, 2 do added = added + redis.call('HSETNX', KEYS[5], ARGV[i], ARGV[i + 1]) end
end
local status = f[1]
local moved = 'kept'
local to, at = ARGV[2], ARGV[6]
if current and to ~= '' and f[6] and ARGV[12] ~= '' then
  to, at = recipient_event(KEYS[1], f[6], ARGV[12], to, ARGV[3], at)
end
if current and to ~= '' and member(status, ARGV[3]) and (not f[2] or f[2] <= at) then
  if member(to, ARGV[9]) then
    local next = advance(KEYS[1], KEYS[4], to, to, ARGV[4], ARGV[5], '', ARGV[10], ARGV[11])
    if next then return {'advanced', ARGV[11], added, unpack(next)} end
  end
  status = to
  moved = 'moved'
  reindex(KEYS[1], status, ARGV[5])
  redis.call('HSET', KEYS[1], 'status', status, 'eventAt', at)
  if status == 'delivered' then redis.call('HSET', KEYS[1], 'deliveredAt', at) end
end
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {moved, status, added}
`;
