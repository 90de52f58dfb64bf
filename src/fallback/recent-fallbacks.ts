import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ChannelKind } from '../config/config.schema';
import { RedisService } from '../redis/redis.service';

/** Longest window anyone reads, in ms; older entries are dropped as new ones come. */
const KEPT_MS = 3_600_000;
/** Most entries kept, whatever the rate: the page shows counts, not a log. */
const KEPT_ENTRIES = 10_000;

/** One kind of fallback and how often it happened in a window. */
export interface FallbackCount {
  readonly fromChannel: ChannelKind;
  readonly toChannel: ChannelKind;
  readonly reason: string;
  readonly count: number;
}

/**
 * Fallbacks of the last hour, for the status page. Kept in Redis rather than read off this
 * process's metrics: steps start in whichever process saw the reason (a worker, or the API that
 * took a bounce event), and the page shows them all.
 */
@Injectable()
export class RecentFallbacks {
  constructor(private readonly redis: RedisService) {}

  private get key(): string {
    return this.redis.key('fallbacks', 'recent');
  }

  /** Notes one fallback now. */
  async note(labels: { from_channel: string; to_channel: string; reason: string }): Promise<void> {
    const now = Date.now();
    const member = `${labels.from_channel}>${labels.to_channel}>${labels.reason}>${now}>${randomBytes(4).toString('hex')}`;
    await this.redis.client
      .multi()
      .zadd(this.key, now, member)
      .zremrangebyscore(this.key, '-inf', now - KEPT_MS)
      .zremrangebyrank(this.key, 0, -KEPT_ENTRIES - 1)
      .pexpire(this.key, KEPT_MS)
      .exec();
  }

  /** Fallbacks over the last `windowMs`, by from channel, to channel and reason. */
  async counts(windowMs: number): Promise<FallbackCount[]> {
    const members = await this.redis.client.zrangebyscore(this.key, Date.now() - windowMs, '+inf');
    const counts = new Map<string, number>();
    for (const member of members) {
      const kind = member.split('>').slice(0, 3).join('>');
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    return [...counts].map(([kind, count]) => {
      const [fromChannel, toChannel, reason] = kind.split('>') as [
        ChannelKind,
        ChannelKind,
        string,
      ];
      return { fromChannel, toChannel, reason, count };
    });
  }
}
