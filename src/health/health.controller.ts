import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { HeraldError } from '../errors/herald-error';
import { QueueHealth } from './queue.health';
import { RedisHealth } from './redis.health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: RedisHealth,
    private readonly queue: QueueHealth,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  /** The process is up and serving HTTP; says nothing about its dependencies. */
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /**
   * Ready to take work: Redis answers and so does the queue's own connection, which every role
   * needs (the api enqueues, the worker takes jobs). Answers 503 `not_ready` otherwise, naming
   * what is down. In sandbox mode the answer says so (`sandbox: true`): a deployment that
   * meant real providers must not pass its readiness check unnoticed.
   */
  @Get('ready')
  @HealthCheck()
  async ready(): Promise<HealthCheckResult & { sandbox?: true }> {
    try {
      const result = await this.health.check([() => this.redis.check(), () => this.queue.check()]);
      return this.config.sandbox.enabled ? { ...result, sandbox: true } : result;
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      const result = err.getResponse() as HealthCheckResult;
      const down = Object.keys(result.error ?? {});
      throw new HeraldError('not_ready', `Down: ${down.join(', ') || 'unknown'}.`, {
        retryAfterSeconds: 1,
      });
    }
  }
}
