import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module';
import { NotificationRecordsRepository } from './notification-records.repository';

/**
 * Notification records and intake, shared by both roles: the API accepts over REST, the worker
 * accepts producers' queue jobs. Controllers live in `NotificationsApiModule` (api role only).
 */
@Module({
  imports: [QueueModule],
  providers: [NotificationRecordsRepository],
  exports: [NotificationRecordsRepository, QueueModule],
})
export class NotificationsModule {}
