import type { ProviderName } from '../config/config.schema';
import type { RedisService } from '../redis/redis.service';

/**
 * The Redis keys of one notification record: its hash, the list of its attempts and the list of
 * its provider events. All three start with the record's key, so they can later share one hash
 * tag (one cluster slot).
 */
export function recordKeys(
  redis: RedisService,
  id: string,
): { record: string; attempts: string; events: string } {
  const record = redis.key('ntf', id);
  return { record, attempts: `${record}:attempts`, events: `${record}:events` };
}

/**
 * The key mapping a provider's message id to the notification it carries. Mailgun returns its
 * id in angle brackets but its events quote it without; the key uses the bare form.
 */
export function providerMessageKey(
  redis: RedisService,
  provider: ProviderName,
  providerMessageId: string,
): string {
  return redis.key('pmid', provider, providerMessageId.replace(/^<(.*)>$/, '$1'));
}
