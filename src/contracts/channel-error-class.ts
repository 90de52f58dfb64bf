/**
 * How a provider failure is handled. Channels classify; only the delivery
 * engine acts on the class.
 *
 * - `rejected`: the provider refused this message for good (bad recipient, content refused):
 *   fail the notification now, no failover, the breaker is untouched.
 * - `throttled`: 429 or the provider's quota: fail over, the provider cools down for
 *   `retryAfterMs`; the breaker is untouched.
 * - `unavailable`: 5xx, refused connection, DNS: fail over; counts against the breaker.
 * - `timeout`: no answer by the deadline; the request may have been sent (ambiguous):
 *   fail over; counts against the breaker.
 * - `misconfigured`: 401/403, unverified sender: fail over, logged loudly; counts against the breaker.
 */
export const CHANNEL_ERROR_CLASSES = [
  'rejected',
  'throttled',
  'unavailable',
  'timeout',
  'misconfigured',
] as const;
export type ChannelErrorClass = (typeof CHANNEL_ERROR_CLASSES)[number];
