import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { QueueModule } from '../queue/queue.module';
import { HealthController } from './health.controller';
import { QueueHealth } from './queue.health';
import { RedisHealth } from './redis.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), QueueModule],
  controllers: [HealthController],
  providers: [RedisHealth, QueueHealth],
})
export class HealthModule {}
