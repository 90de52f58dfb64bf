import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { MetricsModule } from '../metrics/metrics.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { DeliveryService } from './delivery.service';
import { NotificationJobProcessor } from './notification-job.processor';
import { NotificationWorker } from './notification.worker';
import { ProviderBreakers } from './provider-breakers';
import { ProviderCooldowns } from './provider-cooldowns';
import { ProviderHangDetector } from './provider-hang-detector';
import { ProviderRateLimits } from './provider-rate-limits';

/**
 * The delivery engine (worker role): the queue worker, failover across providers, their
 * breakers, hang detection, cool-downs and send ceilings. Exports what the operator endpoints read.
 */
@Module({
  imports: [ChannelsModule, NotificationsModule, MetricsModule],
  providers: [
    DeliveryService,
    ProviderBreakers,
    ProviderCooldowns,
    ProviderHangDetector,
    ProviderRateLimits,
    NotificationJobProcessor,
    NotificationWorker,
  ],
  exports: [DeliveryService, ProviderBreakers, ProviderCooldowns],
})
export class DeliveryModule {}
