import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { TemplatesController } from './templates.controller';

/** The REST side of templates (api role): list and preview. */
@Module({
  imports: [AuthModule],
  controllers: [TemplatesController],
})
export class TemplatesApiModule {}
