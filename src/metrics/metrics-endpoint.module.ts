import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module';
import { MetricsController } from './metrics.controller';
import { MetricsModule } from './metrics.module';
import { ProcessMetrics } from './process-metrics';
import { QueueDepthGauge } from './queue-depth.gauge';
import { QueueDepthService } from './queue-depth.service';

/**
 * `GET /metrics` (every role), with the instruments that belong to the process rather than to
 * delivery: default process metrics and the queue depth. Exports the queue depth for `/status`.
 */
@Module({
  imports: [MetricsModule, QueueModule],
  controllers: [MetricsController],
  providers: [QueueDepthService, QueueDepthGauge, ProcessMetrics],
  exports: [QueueDepthService],
})
export class MetricsEndpointModule {}
