import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { SuppressionModule } from '../suppression/suppression.module';
import { DeliveryEventRates } from '../providers-status/delivery-event-rates';
import { ProviderEventsService } from './provider-events.service';

/** Provider delivery events (api role); the routes are registered by `createApp`. */
@Module({
  imports: [NotificationsModule, SuppressionModule],
  providers: [ProviderEventsService, DeliveryEventRates],
  exports: [ProviderEventsService],
})
export class ProviderEventsModule {}
