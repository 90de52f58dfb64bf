/** How long after Herald's deadline an SDK's own timeout fires. */
const SDK_TIMEOUT_MARGIN_MS = 250;

/**
 * The SDK's own request timeout: the second line of defence behind the deadline signal,
 * so a request can never outlive its deadline by much even if the signal were lost. A
 * little later than the deadline so that, normally, the signal wins and the error says so.
 */
export function sdkTimeoutMs(deadlineMs: number): number {
  return deadlineMs + SDK_TIMEOUT_MARGIN_MS;
}
