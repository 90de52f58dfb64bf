import { Module } from '@nestjs/common';
import { FallbackSteps } from '../fallback/fallback-steps';
import { RecentFallbacks } from '../fallback/recent-fallbacks';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { QueueModule } from '../queue/queue.module';
import { SuppressionModule } from '../suppression/suppression.module';
import { NotificationAcceptance } from './notification-acceptance';
import { NotificationAcceptanceStore } from './notification-acceptance.store';
import { NotificationLifecycle } from './notification-lifecycle';
import { NotificationRecordsRepository } from './notification-records.repository';

/**
 * Notification records, their lifecycle and the one accept flow, shared by both roles: the API
 * accepts over REST, the worker accepts producers' queue jobs. The REST side (controllers and
 * their service) lives in `NotificationsApiModule` (api role only).
 */
@Module({
  imports: [QueueModule, IdempotencyModule, SuppressionModule],
  providers: [
    NotificationRecordsRepository,
    NotificationLifecycle,
    NotificationAcceptance,
    FallbackSteps,
    RecentFallbacks,
    NotificationAcceptanceStore,
  ],
  exports: [
    NotificationRecordsRepository,
    NotificationLifecycle,
    NotificationAcceptance,
    FallbackSteps,
    RecentFallbacks,
    QueueModule,
    SuppressionModule,
  ],
})
export class NotificationsModule {}
