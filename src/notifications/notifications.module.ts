import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { QueueModule } from '../queue/queue.module';
import { NotificationIntakeService } from './notification-intake.service';
import { NotificationRecordsRepository } from './notification-records.repository';

/**
 * Notification records and intake, shared by both roles: the API accepts over REST, the worker
 * accepts producers' queue jobs. Controllers live in `NotificationsApiModule` (api role only).
 */
@Module({
  imports: [QueueModule, IdempotencyModule],
  providers: [NotificationRecordsRepository, NotificationIntakeService],
  exports: [NotificationRecordsRepository, NotificationIntakeService, QueueModule],
})
export class NotificationsModule {}
