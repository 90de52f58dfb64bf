import { Controller, Get, Header, Inject } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { notificationJsonSchema } from './notification-json-schema';

/** The message's JSON Schema for producers in other languages; public, like /health. */
@Controller('v1/schema')
export class NotificationSchemaController {
  private readonly schema: Record<string, unknown>;

  constructor(@Inject(HERALD_CONFIG) config: HeraldConfig) {
    // With this process's limits, which may differ from the committed file's defaults.
    this.schema = notificationJsonSchema(config.limits);
  }

  @Get('notification.json')
  @Header('Content-Type', 'application/schema+json; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  notification(): Record<string, unknown> {
    return this.schema;
  }
}
