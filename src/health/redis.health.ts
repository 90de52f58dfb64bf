import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisService } from '../redis/redis.service';

/**
 * Readiness of Redis, the one server Herald cannot work without: not a PING but a round trip
 * through a script that writes a key, so a full, read-only or misrouted Redis counts as down.
 */
@Injectable()
export class RedisHealth {
  private readonly logger = new Logger(RedisHealth.name);
  /** The last reason logged, so an operator reads each change once, not each check. */
  private lastReason?: string;

  constructor(
    private readonly redis: RedisService,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check() {
    const probe = this.indicator.check('redis');
    const result = await this.redis.probe();
    if (result.ok) {
      if (this.lastReason !== undefined) this.logger.log('readiness: Redis takes work again');
      this.lastReason = undefined;
      return probe.up();
    }
    // Logged, not answered: the readiness route is public, and a Redis error may name hosts.
    if (result.reason !== this.lastReason) this.logger.warn(`not ready: ${result.reason}`);
    this.lastReason = result.reason;
    return probe.down({ message: result.reason });
  }
}
