import { Module } from '@nestjs/common';
import { ChannelRegistry } from './channel-registry';

/** The provider channels (one SDK client each), for the delivery engine. */
@Module({
  providers: [ChannelRegistry],
  exports: [ChannelRegistry],
})
export class ChannelsModule {}
