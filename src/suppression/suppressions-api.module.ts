import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SuppressionModule } from './suppression.module';
import { SuppressionsController } from './suppressions.controller';

/** The admin REST side of suppression lists (api role): `/v1/suppressions`. */
@Module({
  imports: [SuppressionModule, AuthModule],
  controllers: [SuppressionsController],
})
export class SuppressionsApiModule {}
