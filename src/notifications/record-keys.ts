import type { ProviderName } from '../config/config.schema';
import type { RedisService } from '../redis/redis.service';

/**
 * The Redis keys of one notification record: its hash, the list of its attempts and the list of
 * its provider events. All three are under the prefix of the id's shard, so they share its hash
 * tag (one cluster slot) with the rest of the notification's keys.
 */
export function recordKeys(
  redis: RedisService,
  id: string,
): { record: string; attempts: string; events: string } {
  const record = redis.shards.key(redis.shards.ofId(id), 'ntf', id);
  return { record, attempts: `${record}:attempts`, events: `${record}:events` };
}

/**
 * The key mapping a provider's message id to the notification it carries, on `shard`: written
 * on the notification's shard by the script that records the send, so an event looks it up on
 * every shard. Mailgun returns its id in angle brackets but its events quote it without; the
 * key uses the bare form.
 */
export function providerMessageKey(
  redis: RedisService,
  shard: number,
  provider: ProviderName,
  providerMessageId: string,
): string {
  return redis.shards.key(shard, 'pmid', provider, providerMessageId.replace(/^<(.*)>$/, '$1'));
}

/** The key that marks provider event `eventId` seen, on the shard of the notification it is about. */
export function providerEventKey(
  redis: RedisService,
  notificationId: string,
  provider: ProviderName,
  eventId: string,
): string {
  return redis.shards.key(redis.shards.ofId(notificationId), 'pevt', provider, eventId);
}
