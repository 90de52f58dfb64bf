import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { CallerEventProcessor } from './caller-event.processor';
import { CallerEventRelay } from './caller-event.relay';
import { CallerEventSender } from './caller-event.sender';
import { CallerEventWorker } from './caller-event.worker';
import { EventEndpointStore } from './event-endpoint.store';

/**
 * Events out to callers (worker role): the relay from the outbox the lifecycle writes to the
 * `caller-events` queue, and the worker that posts them, signed, to each caller's endpoint.
 */
@Module({
  imports: [NotificationsModule, MetricsModule],
  providers: [
    EventEndpointStore,
    CallerEventRelay,
    CallerEventSender,
    CallerEventProcessor,
    CallerEventWorker,
  ],
})
export class CallerEventsModule {}
