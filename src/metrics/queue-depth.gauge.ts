import { Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from './metrics.service';
import { QUEUE_STATES, QueueDepthService } from './queue-depth.service';

/**
 * `herald_queue_jobs{state}`: the notifications queue's jobs by state, counted when scraped.
 * While Redis does not answer the gauge has no samples (rather than stale ones) and the
 * scrape still succeeds: `/metrics` must not fail with the thing it should report on.
 */
@Injectable()
export class QueueDepthGauge {
  private readonly logger = new Logger(QueueDepthGauge.name);

  constructor(metrics: MetricsService, depth: QueueDepthService) {
    const logger = this.logger;
    new Gauge({
      name: 'herald_queue_jobs',
      help: 'Jobs in the notifications queue by state, counted at scrape time.',
      labelNames: ['state'] as const,
      registers: [metrics.registry],
      async collect() {
        try {
          const counts = await depth.depth();
          for (const state of QUEUE_STATES) this.set({ state }, counts[state]);
        } catch (err) {
          this.reset();
          logger.debug({ err: { message: (err as Error).message } }, 'queue depth unavailable');
        }
      },
    });
  }
}
