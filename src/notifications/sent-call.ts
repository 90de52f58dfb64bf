import type { ProviderName } from '../config/config.schema';
import type { DeliveryAttempt } from '../contracts/notification-record';

/**
 * The record field that stands for the attempt a provider accepted, when it was the record's
 * only attempt: `<ms from its start to sentAt>|<latencyMs>|<round>`. Most notifications go out
 * on the first call, and a list of one attempt is a key of its own (about 300 bytes of Redis
 * for the life of the record); everything else the attempt says is already in the record
 * (`provider`, `sentAt`). MARK_ACCEPTED writes it instead of appending to the attempts list
 * only when that list is empty and the record has no fallback steps (nothing appends an attempt
 * after a provider accepted such a record), so the attempt read back is the list's last.
 */
export const SENT_CALL_FIELD = 'sentCall';

/**
 * The {@link SENT_CALL_FIELD} value standing for `attempt` accepted by `provider` and written at
 * `sentAt`; '' when the field could not say all of it (the attempt is appended as JSON then).
 */
export function sentCallField(
  attempt: DeliveryAttempt,
  provider: ProviderName,
  sentAt: string,
): string {
  const { provider: by, at, outcome, latencyMs, ambiguous, round, ...rest } = attempt;
  const atMs = Date.parse(at);
  const exact =
    Object.keys(rest).length === 0 &&
    by === provider &&
    outcome === 'sent' &&
    ambiguous === false &&
    Number.isSafeInteger(latencyMs) &&
    Number.isSafeInteger(round) &&
    Number.isFinite(atMs) &&
    new Date(atMs).toISOString() === at;
  return exact ? `${Date.parse(sentAt) - atMs}|${latencyMs}|${round}` : '';
}

/**
 * The attempt a {@link SENT_CALL_FIELD} value stands for, from the record's `provider` and
 * `sentAt`; undefined when the record lacks them or the value is not one {@link sentCallField}
 * writes.
 */
export function readSentCall(
  value: string,
  record: { readonly provider?: string; readonly sentAt?: string },
): DeliveryAttempt | undefined {
  const match = /^(-?\d+)\|(\d+)\|(\d+)$/.exec(value);
  const sentAtMs = record.sentAt === undefined ? NaN : Date.parse(record.sentAt);
  if (!match || record.provider === undefined || !Number.isFinite(sentAtMs)) return undefined;
  return {
    provider: record.provider as ProviderName,
    at: new Date(sentAtMs - Number(match[1])).toISOString(),
    outcome: 'sent',
    latencyMs: Number(match[2]),
    ambiguous: false,
    round: Number(match[3]),
  };
}
