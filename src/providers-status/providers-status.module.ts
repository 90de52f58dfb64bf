import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import type { HeraldConfig } from '../config/herald-config';
import { DeliveryModule } from '../delivery/delivery.module';
import { ProviderCooldowns } from '../delivery/provider-cooldowns';
import { RecentFallbacks } from '../fallback/recent-fallbacks';
import { MetricsEndpointModule } from '../metrics/metrics-endpoint.module';
import { DeliveryEventRates } from './delivery-event-rates';
import { LocalProviderView } from './local-provider-view';
import { ProviderSnapshotPublisher } from './provider-snapshot.publisher';
import { ProvidersStatusController } from './providers-status.controller';
import { ProvidersStatusService } from './providers-status.service';
import { StatusPageController } from './status-page.controller';
import { WorkerSnapshotsRepository } from './worker-snapshots.repository';

/**
 * The providers' operator views, composed for the role: a process that delivers publishes its
 * breakers' view to Redis; a process that serves the API reads every worker's and answers
 * `GET /v1/providers` and `GET /status`. Role `all` does both and shows its own view fresh.
 */
@Module({})
export class ProvidersStatusModule {
  static forRole(role: HeraldConfig['role']): DynamicModule {
    const delivers = role !== 'api';
    const serves = role !== 'worker';
    const providers: Provider[] = [WorkerSnapshotsRepository];
    // The delivery engine exports the cool-downs where it runs; an api process reads them itself.
    if (delivers) providers.push(LocalProviderView, ProviderSnapshotPublisher);
    else providers.push(ProviderCooldowns);
    if (serves) providers.push(ProvidersStatusService, DeliveryEventRates, RecentFallbacks);
    return {
      module: ProvidersStatusModule,
      imports: [
        ...(delivers ? [DeliveryModule] : []),
        ...(serves ? [AuthModule, MetricsEndpointModule] : []),
      ],
      controllers: serves ? [ProvidersStatusController, StatusPageController] : [],
      providers,
    };
  }
}
