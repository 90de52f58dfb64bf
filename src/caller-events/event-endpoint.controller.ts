import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Post,
  Put,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { type CallerIdentity, CallerScope } from '../auth/caller.decorator';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { HeraldError } from '../errors/herald-error';
import { parseOrThrow } from '../notifications/notification-message.schema';
import { endpointHost, endpointHostAllowed } from './endpoint-host';
import { eventEndpointRequestSchema, type EventEndpointView } from './event-endpoint.schemas';
import { EventEndpointStore, viewOf } from './event-endpoint.store';

const callerQuerySchema = z.strictObject({
  caller: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("Admin keys only: that caller's endpoint (e.g. queue:herald-notifications)."),
});

/**
 * The caller's event endpoint: where Herald posts its notifications' events, signed per the
 * Standard Webhooks specification. One per caller (the API key's name); an admin key manages
 * another caller's with `?caller=`, which is how queue producers (`queue:<queue name>`) get one.
 */
@Controller('v1/event-endpoint')
@UseGuards(ApiKeyGuard)
export class EventEndpointController {
  constructor(
    private readonly endpoints: EventEndpointStore,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  /**
   * Creates (201, with the signing secret, shown this once) or replaces (200, the secret kept)
   * the endpoint. Either way it is enabled: this is how a disabled endpoint comes back.
   */
  @Put()
  async put(
    @CallerScope() who: CallerIdentity,
    @Query() query: Record<string, unknown>,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventEndpointView & { secret?: string }> {
    const caller = this.callerOf(who, query);
    const request = parseOrThrow(eventEndpointRequestSchema, body);
    if (!endpointHostAllowed(request.url, this.config.callerEvents.allowedHosts)) {
      throw new HeraldError(
        'event_endpoint_host_not_allowed',
        'Herald posts events only to hosts listed in HERALD_EVENT_ENDPOINT_HOSTS.',
        {
          errors: [
            {
              field: 'url',
              message: `host ${endpointHost(request.url)} is not in HERALD_EVENT_ENDPOINT_HOSTS`,
            },
          ],
        },
      );
    }
    const { endpoint, createdSecret } = await this.endpoints.put(
      caller,
      request.url,
      request.events,
    );
    if (createdSecret === undefined) return viewOf(endpoint);
    void reply.status(201);
    return { ...viewOf(endpoint), secret: createdSecret };
  }

  /** The endpoint (never its secret), with its state: disabled, why and since when. */
  @Get()
  async get(
    @CallerScope() who: CallerIdentity,
    @Query() query: Record<string, unknown>,
  ): Promise<EventEndpointView> {
    const endpoint = await this.endpoints.get(this.callerOf(who, query));
    if (!endpoint) throw new HeraldError('not_found', 'No event endpoint is registered.');
    return viewOf(endpoint);
  }

  /** Removes the endpoint: no further events are posted, those not yet posted are dropped. */
  @Delete()
  @HttpCode(204)
  async delete(
    @CallerScope() who: CallerIdentity,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    if (!(await this.endpoints.delete(this.callerOf(who, query)))) {
      throw new HeraldError('not_found', 'No event endpoint is registered.');
    }
  }

  /** A new signing secret, shown this once; the old one keeps signing for 24 hours. */
  @Post('rotate-secret')
  @HttpCode(200)
  async rotateSecret(
    @CallerScope() who: CallerIdentity,
    @Query() query: Record<string, unknown>,
  ): Promise<{ secret: string; previousSecretValidUntil: string }> {
    const rotated = await this.endpoints.rotateSecret(this.callerOf(who, query));
    if (!rotated) throw new HeraldError('not_found', 'No event endpoint is registered.');
    return rotated;
  }

  private callerOf(who: CallerIdentity, query: Record<string, unknown>): string {
    const { caller } = parseOrThrow(callerQuerySchema, query);
    if (caller === undefined || caller === who.name) return who.name;
    if (!who.admin) {
      throw new HeraldError('validation_failed', 'Invalid field: caller.', {
        errors: [{ field: 'caller', message: 'only an admin key may name another caller' }],
      });
    }
    return caller;
  }
}
