import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import type { ProvidersStatus } from './provider-status.schema';
import { ProvidersStatusService } from './providers-status.service';

/**
 * `GET /v1/providers` (DESIGN §4): every provider's breaker, counts and latency, per worker and
 * combined. Behind the API key like the rest of `/v1`; `/status` and `/metrics` show the same
 * figures to whoever can reach them, as those usually sit on an internal network.
 */
@Controller('v1/providers')
@UseGuards(ApiKeyGuard)
export class ProvidersStatusController {
  constructor(private readonly status: ProvidersStatusService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  providers(): Promise<ProvidersStatus> {
    return this.status.status();
  }
}
