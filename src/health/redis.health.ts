import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisService } from '../redis/redis.service';

/** Readiness of Redis, the one server Herald cannot work without. */
@Injectable()
export class RedisHealth {
  constructor(
    private readonly redis: RedisService,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check() {
    const probe = this.indicator.check('redis');
    return (await this.redis.isReady())
      ? probe.up()
      : probe.down({ message: 'Redis does not answer' });
  }
}
