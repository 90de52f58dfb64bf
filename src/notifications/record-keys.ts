import type { RedisService } from '../redis/redis.service';

/** The Redis keys of one notification record: its hash and the list of its attempts. */
export function recordKeys(redis: RedisService, id: string): { record: string; attempts: string } {
  const record = redis.key('ntf', id);
  return { record, attempts: `${record}:attempts` };
}
