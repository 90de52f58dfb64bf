import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** One {@link MetricsService} (and so one Prometheus registry) per application. */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
