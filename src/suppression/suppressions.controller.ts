import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Put,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { type CallerIdentity, CallerScope } from '../auth/caller.decorator';
import type { ChannelKind } from '../config/config.schema';
import { HeraldError } from '../errors/herald-error';
import { maskAddress } from '../notifications/mask-recipient';
import { parseOrThrow } from '../notifications/notification-message.schema';
import { type SuppressionEntry, normaliseRecipient } from './suppression-entry';
import { SuppressionList } from './suppression-list';
import {
  type SuppressionAnswer,
  suppressionPutSchema,
  suppressionQuerySchema,
} from './suppression-request.schema';

/**
 * `/v1/suppressions`, for admin keys only: check, add and remove a recipient of a channel's
 * suppression list. The recipient travels in the query string (GET, DELETE) or the body (PUT),
 * which request logs never show; answers show it masked.
 */
@Controller('v1/suppressions')
@UseGuards(ApiKeyGuard)
export class SuppressionsController {
  constructor(private readonly list: SuppressionList) {}

  /** Whether the recipient is suppressed on the channel, and why. */
  @Get()
  async check(
    @CallerScope() caller: CallerIdentity,
    @Query() query: unknown,
  ): Promise<SuppressionAnswer> {
    adminOnly(caller);
    const { channel, recipient } = parseOrThrow(suppressionQuerySchema, query);
    return answer(channel, recipient, await this.list.get(channel, recipient));
  }

  /** Puts the recipient on the list (replacing its entry): 201 when new, else 200. */
  @Put()
  async put(
    @CallerScope() caller: CallerIdentity,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SuppressionAnswer> {
    adminOnly(caller);
    const { channel, recipient, reason } = parseOrThrow(suppressionPutSchema, body);
    const { created, entry } = await this.list.put(channel, recipient, reason);
    void reply.status(created ? 201 : 200);
    return answer(channel, recipient, entry);
  }

  /** Takes the recipient off the list; `removed` says whether it was on it. */
  @Delete()
  @HttpCode(200)
  async remove(
    @CallerScope() caller: CallerIdentity,
    @Query() query: unknown,
  ): Promise<SuppressionAnswer> {
    adminOnly(caller);
    const { channel, recipient } = parseOrThrow(suppressionQuerySchema, query);
    const removed = await this.list.remove(channel, recipient);
    return { ...answer(channel, recipient, undefined), removed };
  }
}

function adminOnly(caller: CallerIdentity): void {
  if (!caller.admin) {
    throw new HeraldError('forbidden', 'Suppression lists are for API keys with the admin scope.');
  }
}

function answer(
  channel: ChannelKind,
  recipient: string,
  entry: SuppressionEntry | undefined,
): SuppressionAnswer {
  if (!entry) {
    return {
      channel,
      recipient: maskAddress(channel, normaliseRecipient(channel, recipient)),
      suppressed: false,
    };
  }
  const { recipient: masked, ...rest } = entry;
  return { channel, recipient: masked, suppressed: true, ...rest };
}
