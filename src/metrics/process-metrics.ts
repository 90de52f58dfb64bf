import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics } from 'prom-client';
import { MetricsService } from './metrics.service';

/**
 * prom-client's default process metrics (CPU, memory, event-loop lag, GC, handles) in this
 * application's registry. Once per registry: registering them twice throws.
 */
@Injectable()
export class ProcessMetrics {
  constructor(metrics: MetricsService) {
    if (metrics.registry.getSingleMetric('process_cpu_user_seconds_total') === undefined) {
      collectDefaultMetrics({ register: metrics.registry });
    }
  }
}
