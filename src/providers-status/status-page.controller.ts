import { Controller, Get, Header, Inject, Logger, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { RecentFallbacks } from '../fallback/recent-fallbacks';
import { QueueDepthService, QueueDepthTimeoutError } from '../metrics/queue-depth.service';
import { isRedisUnavailable } from '../redis/redis-errors';
import { ProvidersStatusService } from './providers-status.service';
import { renderStatusPage } from './status.page';

/**
 * `GET /status`: the page an on-call human keeps open. It always answers 200 with whatever it
 * could gather: a page that errors out during an outage is useless exactly when it is needed.
 */
@Controller('status')
// The same data as GET /v1/providers, so the same rule (a browser sends the key as Basic).
@UseGuards(ApiKeyGuard)
export class StatusPageController {
  private readonly logger = new Logger(StatusPageController.name);

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly providers: ProvidersStatusService,
    private readonly queue: QueueDepthService,
    private readonly fallbacks: RecentFallbacks,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  // No script runs on the page; say so, so an injected one could not either.
  @Header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
  @Header('X-Content-Type-Options', 'nosniff')
  async page(): Promise<string> {
    const windowMs = this.config.breaker.rollingWindowMs;
    const [status, queue, fallbacks] = await Promise.allSettled([
      this.providers.status(),
      this.queue.depth(),
      this.fallbacks.counts(windowMs),
    ]);
    const problems: string[] = [];
    if (status.status === 'rejected') {
      problems.push(this.describe(status.reason, "workers' provider views are unavailable"));
    } else if (!status.value.redisReachable) {
      problems.push("Redis does not answer: showing this process's own view only.");
    }
    if (queue.status === 'rejected') {
      problems.push(this.describe(queue.reason, 'queue depth is unavailable'));
    }
    if (fallbacks.status === 'rejected') {
      problems.push(this.describe(fallbacks.reason, 'recent fallbacks are unavailable'));
    }
    return renderStatusPage({
      generatedAt: new Date().toISOString(),
      role: this.config.role,
      sandbox: this.config.sandbox.enabled,
      status: status.status === 'fulfilled' ? status.value : undefined,
      queue: queue.status === 'fulfilled' ? queue.value : undefined,
      ...(fallbacks.status === 'fulfilled'
        ? { fallbacks: fallbacks.value, fallbackWindowMs: windowMs }
        : {}),
      problems,
    });
  }

  private describe(err: unknown, what: string): string {
    if (isRedisUnavailable(err) || err instanceof QueueDepthTimeoutError) {
      return `Redis does not answer: ${what}.`;
    }
    this.logger.error({ err }, `status page: ${what}`);
    return `Unexpected error: ${what} (see the logs).`;
  }
}
