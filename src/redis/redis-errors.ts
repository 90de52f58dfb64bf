/**
 * Why Redis cannot do Herald's work right now, when an error says so:
 * - `unreachable`: no connection, or no answer in time;
 * - `out_of_memory`: `maxmemory` reached under `noeviction` (writes refused);
 * - `read_only`: connected to a replica (a failover in progress, or a URL naming a replica);
 * - `cluster_unavailable`: a Redis Cluster that is down, resharding (`TRYAGAIN`, `MOVED`/`ASK`
 *   beyond the client's redirections) or not yet known to the client;
 * - `cross_slot`: one command or script spans hash slots, which a cluster refuses (keys without
 *   a shared hash tag, or `REDIS_URL` naming one node of a cluster);
 * - `loading`: the server is still loading its data set, or busy with a long script.
 *
 * None of these is a fault of the message at hand: the API answers 503 with `Retry-After`
 * and the worker keeps the job for later, as for an outage.
 */
export type RedisUnavailableReason =
  'unreachable' | 'out_of_memory' | 'read_only' | 'cluster_unavailable' | 'cross_slot' | 'loading';

/**
 * Redis's own error codes (the reply's first word) and what each means for Herald. Matched at
 * the start of the message, where Redis puts the code, also when a Lua script relays it.
 */
const REPLY_CODES: Record<string, RedisUnavailableReason> = {
  OOM: 'out_of_memory',
  READONLY: 'read_only',
  MASTERDOWN: 'read_only',
  NOREPLICAS: 'read_only',
  CLUSTERDOWN: 'cluster_unavailable',
  TRYAGAIN: 'cluster_unavailable',
  MOVED: 'cluster_unavailable',
  ASK: 'cluster_unavailable',
  CROSSSLOT: 'cross_slot',
  LOADING: 'loading',
  BUSY: 'loading',
};

/** Messages of ioredis's own errors (not Redis replies), by what they mean. */
const CLIENT_MESSAGES: readonly [RegExp, RedisUnavailableReason][] = [
  [/^Connection is closed\.$/, 'unreachable'],
  [/^Stream isn't writeable/, 'unreachable'],
  [/^Command timed out$/, 'unreachable'],
  [/^Socket timeout\./, 'unreachable'],
  [/enableOfflineQueue/, 'unreachable'],
  [/^None of startup nodes is available$/, 'unreachable'],
  [/^Cluster is (disconnected|disconnecting|ended)\.$/, 'unreachable'],
  [/^Node is disconnected$/, 'unreachable'],
  [/^Failed to refresh slots cache/, 'cluster_unavailable'],
  [/^Too many Cluster redirections/, 'cluster_unavailable'],
  // Redis 7 words a script's cross-slot access this way, without the CROSSSLOT code.
  [
    /Script attempted to access (a non local key|keys that do not hash to the same slot)/,
    'cross_slot',
  ],
  [/should belong to the same slot/, 'cross_slot'],
];

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);

/** Why Redis cannot serve Herald right now, if `err` says so; undefined for any other error. */
export function redisUnavailableReason(err: unknown): RedisUnavailableReason | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError') {
    return 'unreachable';
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return 'unreachable';
  const first = /^-?([A-Z]+)\b/.exec(err.message)?.[1];
  if (first !== undefined && Object.hasOwn(REPLY_CODES, first)) return REPLY_CODES[first];
  for (const [pattern, reason] of CLIENT_MESSAGES) {
    if (pattern.test(err.message)) return reason;
  }
  // A MULTI Redis discarded (EXECABORT) or a pipeline: the reason is in the commands' errors.
  const previous = (err as { previousErrors?: unknown }).previousErrors;
  if (Array.isArray(previous)) {
    for (const inner of previous) {
      const reason = redisUnavailableReason(inner);
      if (reason !== undefined) return reason;
    }
  }
  return undefined;
}

/** True when an error means Redis cannot do Herald's work right now (see {@link redisUnavailableReason}). */
export function isRedisUnavailable(err: unknown): boolean {
  return redisUnavailableReason(err) !== undefined;
}
