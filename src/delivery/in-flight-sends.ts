import { Inject, Injectable } from '@nestjs/common';
import type { ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { RedisService } from '../redis/redis.service';

/** A provider call that had started and not yet been recorded. */
export interface InFlightSend {
  readonly provider: ProviderName;
  readonly round: number;
  /** ISO 8601: when the call started. */
  readonly at: string;
}

/**
 * A marker per notification, written before each provider call and removed once its outcome
 * is recorded. When a worker dies mid-call the marker survives, and the job's next run knows
 * which provider may have accepted the message unseen: it records that call as ambiguous.
 * No provider offers idempotent sends, so that is as far as Herald can see.
 */
@Injectable()
export class InFlightSends {
  constructor(
    private readonly redis: RedisService,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  async begin(notificationId: string, send: InFlightSend): Promise<void> {
    await this.redis.client.set(
      this.key(notificationId),
      JSON.stringify(send),
      'EX',
      this.config.records.ttlSeconds,
    );
  }

  async end(notificationId: string): Promise<void> {
    await this.redis.client.del(this.key(notificationId));
  }

  /** Reads and removes the marker a previous, interrupted run left behind. */
  async take(notificationId: string): Promise<InFlightSend | undefined> {
    const raw = await this.redis.client.getdel(this.key(notificationId));
    return raw ? (JSON.parse(raw) as InFlightSend) : undefined;
  }

  private key(notificationId: string): string {
    return this.redis.key('delivery', 'inflight', notificationId);
  }
}
