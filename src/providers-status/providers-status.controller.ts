import { Controller, Get, Header, Inject, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import type { ProvidersStatus } from './provider-status.schema';
import { ProvidersStatusService } from './providers-status.service';

/**
 * `GET /v1/providers`: every provider's breaker, counts and latency, per worker and combined.
 * Behind an API key, like `/status`, which shows the same data (see `auth/route-policy.ts`).
 */
@Controller('v1/providers')
@UseGuards(ApiKeyGuard)
export class ProvidersStatusController {
  constructor(
    private readonly status: ProvidersStatusService,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async providers(): Promise<ProvidersStatus> {
    const status = await this.status.status();
    return this.config.sandbox.enabled ? { ...status, sandbox: true } : status;
  }
}
