import { ChannelError } from '../channels/channel-error';

/**
 * Runs `call` with an AbortSignal that fires at `deadlineMs`, and settles by then even if
 * `call` ignores the signal: it then rejects with an ambiguous `timeout` ChannelError (the
 * request may have reached the provider). Opossum's own `timeout` only stops waiting; the
 * signal aborts the HTTP request itself, so a late answer cannot complete behind Herald's back.
 */
export async function callWithDeadline<T>(
  deadlineMs: number,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ChannelError('timeout', `no answer within ${deadlineMs} ms`, {
        ambiguous: true,
      });
      reject(error);
      controller.abort(error);
    }, deadlineMs);
  });
  try {
    const pending = call(controller.signal);
    // Whatever it settles with after the deadline was already accounted for as a timeout.
    pending.catch(() => undefined);
    return await Promise.race([pending, expired]);
  } finally {
    clearTimeout(timer);
  }
}
