import type { ChannelKind, Env, ProviderName } from './config.schema';

/**
 * Longest a delivery round may wait, in all, for providers at their send ceiling. The delivery
 * engine uses it; it is here because it bounds a message's life, which configuration checks.
 */
export const MAX_RATE_WAIT_MS = 5_000;

/**
 * The longest a message may live before its notification is delivered or failed for good, in
 * milliseconds: every round (each provider of the longest order at its deadline, plus the
 * ceiling wait) and the wait after each (at most HERALD_RETRY_CAP_MS, to which a provider's
 * Retry-After is clamped), plus two job locks for a crashed worker's job to be picked up.
 */
export function longestMessageLifeMs(
  env: Pick<Env, 'HERALD_RETRY_ATTEMPTS' | 'HERALD_RETRY_CAP_MS' | 'HERALD_JOB_LOCK_MS'>,
  deadlinesMs: Readonly<Record<ProviderName, number>>,
  order: Readonly<Record<ChannelKind, readonly ProviderName[]>>,
): number {
  const roundMs = Math.max(
    0,
    ...Object.values(order).map((providers) =>
      providers.reduce((sum, p) => sum + deadlinesMs[p], 0),
    ),
  );
  return (
    env.HERALD_RETRY_ATTEMPTS * (roundMs + MAX_RATE_WAIT_MS + env.HERALD_RETRY_CAP_MS) +
    2 * env.HERALD_JOB_LOCK_MS
  );
}

/**
 * Record and idempotency-key retention must outlive any message: a record that expires while
 * its job waits loses the notification, and a key that expires lets a retried request send it
 * twice. Returns one problem per setting that is too short, naming what it must exceed.
 * A message's life starts at its send time: a scheduled (`sendAt`) record and its key are kept
 * their wait longer (up to HERALD_MAX_SCHEDULE_AHEAD_SECONDS), so this check holds for them too
 * without asking every record to be kept for the whole schedule horizon.
 */
export function retentionProblems(
  env: Pick<
    Env,
    | 'HERALD_RETRY_ATTEMPTS'
    | 'HERALD_RETRY_CAP_MS'
    | 'HERALD_JOB_LOCK_MS'
    | 'HERALD_RECORD_TTL_SECONDS'
    | 'HERALD_IDEMPOTENCY_TTL_SECONDS'
  >,
  deadlinesMs: Readonly<Record<ProviderName, number>>,
  order: Readonly<Record<ChannelKind, readonly ProviderName[]>>,
): string[] {
  const lifeSeconds = Math.ceil(longestMessageLifeMs(env, deadlinesMs, order) / 1000);
  const why =
    `the longest life of a message (${lifeSeconds} s: HERALD_RETRY_ATTEMPTS × (the longest ` +
    'failover order at its deadlines + 5 s + HERALD_RETRY_CAP_MS) + 2 × HERALD_JOB_LOCK_MS)';
  const problems: string[] = [];
  for (const name of ['HERALD_RECORD_TTL_SECONDS', 'HERALD_IDEMPOTENCY_TTL_SECONDS'] as const) {
    if (env[name] <= lifeSeconds) problems.push(`${name}: must exceed ${why}`);
  }
  return problems;
}

/** Each provider's deadline, from the providers' configuration. */
export function deadlinesOf(
  providers: Readonly<Record<ProviderName, { readonly deadlineMs: number }>>,
): Record<ProviderName, number> {
  return Object.fromEntries(Object.entries(providers).map(([p, c]) => [p, c.deadlineMs])) as Record<
    ProviderName,
    number
  >;
}
