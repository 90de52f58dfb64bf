import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { TemplatesController } from './templates.controller';
import { TemplatesModule } from './templates.module';

/** The REST side of templates (api role): list and preview. */
@Module({
  imports: [TemplatesModule, AuthModule],
  controllers: [TemplatesController],
})
export class TemplatesApiModule {}
