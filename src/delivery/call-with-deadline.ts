import { ChannelError } from '../channels/channel-error';

/**
 * Runs `call` with an AbortSignal that fires at `deadlineMs`, and settles by then even if
 * `call` ignores the signal: it then rejects with an ambiguous `timeout` ChannelError (the
 * request may have reached the provider). Opossum's own `timeout` only stops waiting; the
 * signal aborts the HTTP request itself, so a late answer cannot complete behind Herald's back.
 *
 * `abandon`, when given, ends the call early the same way: once it aborts, the call's signal
 * aborts and this rejects at once with the signal's reason (the hang detector's ambiguous
 * timeout), whatever the call does afterwards.
 */
export async function callWithDeadline<T>(
  deadlineMs: number,
  call: (signal: AbortSignal) => Promise<T>,
  abandon?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbandon: (() => void) | undefined;
  const expired = new Promise<never>((_, reject) => {
    const stop = (error: unknown) => {
      reject(error);
      controller.abort(error);
    };
    timer = setTimeout(
      () =>
        stop(new ChannelError('timeout', `no answer within ${deadlineMs} ms`, { ambiguous: true })),
      deadlineMs,
    );
    if (abandon) {
      onAbandon = () => stop(abandon.reason);
      if (abandon.aborted) onAbandon();
      else abandon.addEventListener('abort', onAbandon, { once: true });
    }
  });
  try {
    const pending = controller.signal.aborted
      ? Promise.reject(controller.signal.reason as Error)
      : call(controller.signal);
    // Whatever it settles with after the deadline was already accounted for as a timeout.
    pending.catch(() => undefined);
    return await Promise.race([pending, expired]);
  } finally {
    clearTimeout(timer);
    if (onAbandon) abandon?.removeEventListener('abort', onAbandon);
  }
}
