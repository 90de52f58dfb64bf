import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { ProviderEventsService } from './provider-events.service';

/** Provider delivery events (api role); the routes are registered by `createApp`. */
@Module({
  imports: [NotificationsModule],
  providers: [ProviderEventsService],
  exports: [ProviderEventsService],
})
export class ProviderEventsModule {}
