import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { HeraldError } from '../errors/herald-error';
import { MetricsService } from '../metrics/metrics.service';
import { NotificationIntakeService } from '../notifications/notification-intake.service';
import type {
  NotificationFailure,
  NotificationRecord,
  NotificationStatus,
} from '../notifications/notification-record';
import { NotificationRecordsRepository } from '../notifications/notification-records.repository';
import { DELIVER_JOB, type DeliverJobData, SEND_JOB } from '../queue/queue.constants';
import { isRedisUnavailable } from '../redis/redis-errors';
import { DeliveryService } from './delivery.service';
import { InFlightSends } from './in-flight-sends';
import { retryDelayMs } from './retry-backoff';

/** A finished job's return value (DESIGN §5): what a producer's `waitUntilFinished` resolves to. */
export interface DeliveryJobResult {
  /** The notification id the REST API knows. */
  readonly id: string;
  readonly status: NotificationStatus;
  readonly provider?: ProviderName;
  readonly providerMessageId?: string;
}

/** Milliseconds a `send` job waits while another acceptance of its idempotency key finishes. */
const IN_FLIGHT_RECHECK_MS = 1_000;
/** Milliseconds before a job that met a Redis outage runs again. */
const REDIS_OUTAGE_RETRY_MS = 5_000;

/** Intake errors no retry can fix: the job fails at once with the message. */
const PERMANENT_INTAKE_ERRORS = new Set([
  'validation_failed',
  'channel_not_configured',
  'idempotency_key_reused',
  'template_not_found',
  'template_data_invalid',
  'template_render_failed',
  'template_output_invalid',
]);

/**
 * Runs one queue job: a producer's `send` (accepted through intake first, DESIGN §5) or
 * Herald's own `deliver`. Each run is one delivery round; a round that finds no provider puts
 * the same job back as delayed until the next round, so a producer's `waitUntilFinished`
 * resolves only once the notification is delivered or failed for good, whatever `attempts`
 * the producer gave the job.
 */
@Injectable()
export class NotificationJobProcessor {
  private readonly logger = new Logger(NotificationJobProcessor.name);

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly records: NotificationRecordsRepository,
    private readonly intake: NotificationIntakeService,
    private readonly delivery: DeliveryService,
    private readonly inFlight: InFlightSends,
    private readonly metrics: MetricsService,
  ) {}

  async process(job: Job, token: string | undefined): Promise<DeliveryJobResult> {
    try {
      switch (job.name) {
        case DELIVER_JOB:
          return await this.deliverJob(job, token);
        case SEND_JOB:
          return await this.sendJob(job, token);
        default:
          throw new UnrecoverableError(
            `unknown job name "${job.name}": Herald's queue takes "${SEND_JOB}" jobs`,
          );
      }
    } catch (err) {
      if (isRedisUnavailable(err)) return this.later(job, token, REDIS_OUTAGE_RETRY_MS, err);
      throw err;
    }
  }

  private async deliverJob(job: Job, token: string | undefined): Promise<DeliveryJobResult> {
    const { notificationId } = (job.data ?? {}) as Partial<DeliverJobData>;
    if (typeof notificationId !== 'string' || notificationId === '') {
      throw new UnrecoverableError('deliver job without a notificationId');
    }
    return this.deliver(notificationId, job, token);
  }

  private async sendJob(job: Job, token: string | undefined): Promise<DeliveryJobResult> {
    let acceptance: Awaited<ReturnType<NotificationIntakeService['acceptJob']>>;
    try {
      acceptance = await this.intake.acceptJob(job.data, job.id!);
    } catch (err) {
      if (err instanceof HeraldError && PERMANENT_INTAKE_ERRORS.has(err.code)) {
        const fields = (err.extra.errors ?? []).map((e) => `${e.field}: ${e.message}`);
        throw new UnrecoverableError([err.message, ...fields].join(' '));
      }
      throw err;
    }
    switch (acceptance.kind) {
      case 'accepted':
        return this.deliver(acceptance.id, job, token);
      case 'replayed': {
        // Another job or request owns this key: report on its notification, never send it again.
        const record = await this.records.get(acceptance.id);
        return record ? resultOf(record) : { id: acceptance.id, status: 'queued' };
      }
      case 'in_flight':
        return this.later(job, token, IN_FLIGHT_RECHECK_MS);
    }
  }

  /** One delivery round of notification `id`, and what the job does next. */
  private async deliver(
    id: string,
    job: Job,
    token: string | undefined,
  ): Promise<DeliveryJobResult> {
    const started = await this.records.startRound(id);
    if (!started) {
      throw new UnrecoverableError(
        `notification ${id} not found: its record expired or was removed`,
      );
    }
    if (started.previous === 'delivered') {
      // A job that ran again (crash, stalled lock, manual retry) after the delivery was recorded.
      return resultOf((await this.records.get(id))!);
    }
    if (started.previous === 'failed') return this.stillFailed(id);
    const { message } = started;
    if (!message) {
      throw new UnrecoverableError(
        `notification ${id} not found: its record expired or was removed`,
      );
    }
    if (started.previous === 'sending') await this.noteInterruption(id, started.round);

    const round = started.round;
    const outcome = await this.delivery.deliverRound(id, message, round);
    switch (outcome.kind) {
      case 'delivered':
        this.metrics.notifications.inc({ kind: message.channel, status: 'delivered' });
        return {
          id,
          status: 'delivered',
          provider: outcome.provider,
          providerMessageId: outcome.providerMessageId,
        };
      case 'rejected':
        return this.fail(id, message.channel, {
          errorClass: 'rejected',
          detail: `${outcome.provider}: ${outcome.detail}`,
        });
      case 'retry-later': {
        if (round >= this.config.retry.attempts) {
          return this.fail(id, message.channel, {
            errorClass: 'exhausted',
            detail: `no provider took it in ${round} round${round > 1 ? 's' : ''}; last round: ${outcome.summary}`,
          });
        }
        const delayMs = retryDelayMs(round, this.config.retry, outcome.retryAfterMs);
        await this.records.markWaiting(id, new Date(Date.now() + delayMs).toISOString());
        return this.later(job, token, delayMs);
      }
    }
  }

  /**
   * The previous run of this job stopped with the record saying `sending`: a crash, or a lock
   * lost. If it stopped during a provider call, that provider may have accepted the message
   * without Herald seeing it: the attempt is recorded as ambiguous before the round resumes.
   */
  private async noteInterruption(id: string, round: number): Promise<void> {
    const send = await this.inFlight.take(id);
    if (!send) {
      this.logger.warn(
        { notificationId: id, round },
        'resuming an interrupted delivery; no provider call was in flight',
      );
      return;
    }
    this.logger.warn(
      { notificationId: id, provider: send.provider, round },
      `resuming an interrupted delivery: ${send.provider} may have accepted it already`,
    );
    await this.records.appendAttempt(id, {
      provider: send.provider,
      at: send.at,
      outcome: 'failed',
      detail:
        'interrupted: the worker stopped before the answer was recorded; the provider may have accepted it',
      latencyMs: 0,
      ambiguous: true,
      round: send.round,
    });
  }

  /**
   * A job for a notification already failed for good: it failed, then stopped before BullMQ
   * heard (a crash). `startRound` marked it `sending`; put it back and fail the job again.
   */
  private async stillFailed(id: string): Promise<never> {
    const record = await this.records.get(id);
    const failure: NotificationFailure = record?.failure ?? {
      errorClass: 'exhausted',
      detail: 'failed earlier',
    };
    await this.records.markFailed(id, failure);
    throw new UnrecoverableError(reasonOf(failure));
  }

  private async fail(
    id: string,
    kind: NotificationRecord['channel'],
    failure: NotificationFailure,
  ): Promise<never> {
    await this.records.markFailed(id, failure);
    this.metrics.notifications.inc({ kind, status: 'failed' });
    throw new UnrecoverableError(reasonOf(failure));
  }

  /**
   * Puts the job back as delayed, same id, for another run after `delayMs`. BullMQ counts no
   * attempt for it, so this works for producers' jobs with `attempts: 1`.
   */
  private async later(
    job: Job,
    token: string | undefined,
    delayMs: number,
    cause?: unknown,
  ): Promise<never> {
    try {
      await job.moveToDelayed(Date.now() + delayMs, token);
    } catch (err) {
      // Redis is away: the job stays active, its lock expires and another run picks it up.
      throw cause ?? err;
    }
    throw new DelayedError();
  }
}

function resultOf(record: NotificationRecord): DeliveryJobResult {
  return {
    id: record.id,
    status: record.status,
    ...(record.provider ? { provider: record.provider } : {}),
    ...(record.providerMessageId ? { providerMessageId: record.providerMessageId } : {}),
  };
}

/** A failed job's reason: the class and the detail, never the message. */
function reasonOf(failure: NotificationFailure): string {
  return `${failure.errorClass}: ${failure.detail}`;
}
