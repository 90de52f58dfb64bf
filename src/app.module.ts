import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { AuthModule } from './auth/auth.module';
import { CallerEventsApiModule } from './caller-events/caller-events-api.module';
import { CallerEventsModule } from './caller-events/caller-events.module';
import { ConfigModule } from './config/config.module';
import type { HeraldConfig } from './config/herald-config';
import { DeliveryModule } from './delivery/delivery.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsEndpointModule } from './metrics/metrics-endpoint.module';
import { NotificationsApiModule } from './notifications/notifications-api.module';
import { ProvidersStatusModule } from './providers-status/providers-status.module';
import { ProviderEventsModule } from './provider-events/provider-events.module';
import { RedisModule } from './redis/redis.module';
import { SandboxModule } from './sandbox/sandbox.module';
import { SuppressionsApiModule } from './suppression/suppressions-api.module';
import type { TemplateCatalog } from './templates/template-catalog';
import { TemplatesApiModule } from './templates/templates-api.module';
import { TemplatesModule } from './templates/templates.module';

/** What the caller of {@link AppModule.forRoot} may supply besides the configuration. */
export interface AppOptions {
  /** Where JSON logs go; standard output when absent. */
  readonly logDestination?: DestinationStream;
}

type Imports = NonNullable<ModuleMetadata['imports']>;

/**
 * The application, composed for its role: `api` serves HTTP intake and the operator
 * surface, `worker` delivers, `all` does both. Every role answers /health.
 */
@Module({})
export class AppModule {
  static forRoot(
    config: HeraldConfig,
    templates: TemplateCatalog,
    options: AppOptions = {},
  ): DynamicModule {
    const api: Imports = [
      NotificationsApiModule,
      TemplatesApiModule,
      ProviderEventsModule,
      CallerEventsApiModule,
      SuppressionsApiModule,
    ];
    const worker: Imports = [DeliveryModule, CallerEventsModule];
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, options.logDestination),
        RedisModule,
        TemplatesModule.forRoot(templates),
        AuthModule,
        HealthModule,
        MetricsEndpointModule,
        ProvidersStatusModule.forRole(config.role),
        ...(config.role === 'worker' ? [] : api),
        ...(config.role === 'api' ? [] : worker),
        ...(config.sandbox.embedded ? [SandboxModule] : []),
      ],
    };
  }
}
