import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { Caller } from '../auth/caller.decorator';
import { HeraldError } from '../errors/herald-error';
import { readIdempotencyKey } from '../idempotency/idempotency-key';
import {
  type AcceptedNotification,
  NotificationIntakeService,
} from './notification-intake.service';
import type { NotificationRecord } from '../contracts/notification-record';

/** REST intake (DESIGN §4): send, read a record, re-drive a failed notification. */
@Controller('v1/notifications')
@UseGuards(ApiKeyGuard)
export class NotificationsController {
  constructor(private readonly intake: NotificationIntakeService) {}

  /** Accepts a message: 202 with its id, or the original answer when the Idempotency-Key replays. */
  @Post()
  @HttpCode(202)
  async send(
    @Caller() caller: string,
    @Headers('content-type') contentType: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | string[] | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AcceptedNotification> {
    if (!isJson(contentType)) {
      throw new HeraldError('unsupported_media_type', 'Send the body as application/json.');
    }
    const key = readIdempotencyKey(idempotencyKey);
    const { answer, replayed } = await this.intake.acceptRequest(caller, body, key);
    void reply.header('Location', `/v1/notifications/${answer.id}`);
    if (replayed) void reply.header('Idempotent-Replayed', 'true');
    return answer;
  }

  /** The notification's record (never its message): status, provider, attempts. */
  @Get(':id')
  async get(@Param('id') id: string): Promise<NotificationRecord> {
    return this.intake.get(id);
  }

  /** Re-drives a `failed` notification. */
  @Post(':id/retry')
  @HttpCode(202)
  async retry(
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ id: string; status: 'queued' }> {
    const answer = await this.intake.retry(id);
    void reply.header('Location', `/v1/notifications/${id}`);
    return answer;
  }
}

/** `application/json`, with or without parameters such as `charset`. */
function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}
