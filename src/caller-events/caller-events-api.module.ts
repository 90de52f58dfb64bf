import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventEndpointController } from './event-endpoint.controller';
import { EventEndpointStore } from './event-endpoint.store';

/** The REST side of caller events (api role): `/v1/event-endpoint`. */
@Module({
  imports: [AuthModule],
  controllers: [EventEndpointController],
  providers: [EventEndpointStore],
})
export class CallerEventsApiModule {}
