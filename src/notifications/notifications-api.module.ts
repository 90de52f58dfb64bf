import { IdempotencyModule } from '../idempotency/idempotency.module';
import { NotificationSearch } from './notification-search';
import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { NotificationIntakeService } from './notification-intake.service';
import { NotificationSchemaController } from './notification-schema.controller';
import { NotificationsController } from './notifications.controller';
import { NotificationsModule } from './notifications.module';

/** The REST side of notifications (api role): `/v1/notifications` and the message's JSON Schema. */
@Module({
  imports: [NotificationsModule, AuthModule, IdempotencyModule],
  controllers: [NotificationsController, NotificationSchemaController],
  providers: [NotificationIntakeService, NotificationSearch],
})
export class NotificationsApiModule {}
