/** How long to wait between delivery rounds (`HERALD_RETRY_*`). */
export interface BackoffPolicy {
  /** Milliseconds: round n waits at most base × 2^(n-1)… */
  readonly baseMs: number;
  /** …and never more than this, in milliseconds, unless a provider asked for longer. */
  readonly capMs: number;
}

/**
 * Milliseconds to wait after delivery round `round` (1-based) found no provider to take the
 * message: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff
 * And Jitter"), uniform in [0, min(cap, base × 2^(round-1))], so workers that failed together
 * do not retry together. Never less than `retryAfterMs`, the longest Retry-After seen.
 *
 * @param random uniform in [0, 1); injectable so tests can pin the draw.
 */
export function retryDelayMs(
  round: number,
  policy: BackoffPolicy,
  retryAfterMs = 0,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(round) - 1);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const jittered = Math.floor(random() * (ceiling + 1));
  return Math.max(jittered, Math.ceil(retryAfterMs));
}
