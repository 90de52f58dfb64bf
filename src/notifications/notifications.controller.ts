import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { Caller, type CallerIdentity, CallerScope } from '../auth/caller.decorator';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { HeraldError } from '../errors/herald-error';
import { readIdempotencyKey } from '../idempotency/idempotency-key';
import type { BatchItemResult } from './notification-acceptance';
import { type NotificationPage, NotificationSearch } from './notification-search';
import {
  type AcceptedNotification,
  NotificationIntakeService,
} from './notification-intake.service';
import type { NotificationRecord } from '../contracts/notification-record';

/** REST intake: send, read a record, re-drive a failed notification, cancel one. */
@Controller('v1/notifications')
@UseGuards(ApiKeyGuard)
export class NotificationsController {
  constructor(
    private readonly intake: NotificationIntakeService,
    private readonly search: NotificationSearch,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

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
    // Node joins repeated headers into "a, b"; two keys are two requests' worth of ambiguity.
    const key = readIdempotencyKey(
      headerCount(reply, 'idempotency-key') > 1 ? [String(idempotencyKey)] : idempotencyKey,
    );
    const { answer, replayed } = await this.intake.acceptRequest(caller, body, key);
    void reply.header('Location', `/v1/notifications/${answer.id}`);
    if (replayed) void reply.header('Idempotent-Replayed', 'true');
    return answer;
  }

  /**
   * This caller's notifications, newest first, filtered and cursor-paged (an admin key: every
   * caller's, or one named by `caller=`). Items are records without their attempts.
   */
  @Get()
  list(
    @CallerScope() caller: CallerIdentity,
    @Query() query: Record<string, unknown>,
  ): Promise<NotificationPage> {
    return this.search.list(caller, query);
  }

  /**
   * Accepts up to HERALD_BATCH_MAX messages in one request, each on its own (validated,
   * idempotent by its `idempotencyKey`, accepted or refused alone): 200 with one result per item.
   */
  @Post('batch')
  @HttpCode(200)
  async batch(
    @Caller() caller: string,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
  ): Promise<{ results: BatchItemResult[] }> {
    if (!isJson(contentType)) {
      throw new HeraldError('unsupported_media_type', 'Send the body as application/json.');
    }
    return { results: await this.intake.acceptBatch(caller, body) };
  }

  /**
   * The notification's record (never its message): status, provider, attempts. A caller sees
   * its own notifications only (another's answers 404, as an unknown id does, so ids cannot be
   * probed); an admin key sees all. In sandbox mode the record says so.
   */
  @Get(':id')
  async get(
    @CallerScope() caller: CallerIdentity,
    @Param('id') id: string,
  ): Promise<NotificationRecord & { sandbox?: true }> {
    const record = this.ownedBy(caller, await this.intake.get(id));
    return this.config.sandbox.enabled ? { ...record, sandbox: true } : record;
  }

  /** Re-drives a `failed` notification of this caller (any caller's, for an admin key). */
  @Post(':id/retry')
  @HttpCode(202)
  async retry(
    @CallerScope() caller: CallerIdentity,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ id: string; status: 'queued' }> {
    this.ownedBy(caller, await this.intake.get(id));
    const answer = await this.intake.retry(id);
    void reply.header('Location', `/v1/notifications/${id}`);
    return answer;
  }

  /** Cancels a notification of this caller (any caller's, for an admin key) not yet being sent. */
  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(
    @CallerScope() caller: CallerIdentity,
    @Param('id') id: string,
  ): Promise<{ id: string; status: 'cancelled' }> {
    this.ownedBy(caller, await this.intake.get(id));
    return this.intake.cancel(id);
  }

  private ownedBy(caller: CallerIdentity, record: NotificationRecord): NotificationRecord {
    if (caller.admin || record.caller === caller.name) return record;
    throw new HeraldError('not_found', 'No such notification.');
  }
}

/** How many times the request carried header `name` (lower case). */
function headerCount(reply: FastifyReply, name: string): number {
  const raw = reply.request.raw.rawHeaders;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) count++;
  return count;
}

/** `application/json`, with or without parameters such as `charset`. */
function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}
