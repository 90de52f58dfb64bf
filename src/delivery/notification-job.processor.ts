import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, type Job, UnrecoverableError } from 'bullmq';
import type { ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { HeraldError } from '../errors/herald-error';
import { MetricsService } from '../metrics/metrics.service';
import { FallbackSteps } from '../fallback/fallback-steps';
import { NotificationAcceptance } from '../notifications/notification-acceptance';
import {
  NotificationLifecycle,
  type RoundOwner,
  type StepFailure,
} from '../notifications/notification-lifecycle';
import type {
  NotificationFailure,
  NotificationRecord,
  NotificationStatus,
} from '../contracts/notification-record';
import { NotificationRecordsRepository } from '../notifications/notification-records.repository';
import {
  ACCEPTED_SEND_JOB_FIELD,
  DELIVER_JOB,
  type DeliverJobData,
  FALLBACK_TIMER_JOB,
  jobKey,
  jobLockKey,
  SEND_JOB,
  type StepJobData,
} from '../queue/queue.constants';
import { isRedisUnavailable } from '../redis/redis-errors';
import { RedisService } from '../redis/redis.service';
import { DeliveryService } from './delivery.service';
import { retryDelayMs } from './retry-backoff';

/** A finished job's return value: what a producer's `waitUntilFinished` resolves to. */
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
  'recipient_suppressed',
  'idempotency_key_reused',
  'template_not_found',
  'template_data_invalid',
  'template_render_failed',
  'template_output_invalid',
]);

/**
 * Thrown when a run finds it no longer owns its notification (its job's lock was lost): it
 * stops without writing. BullMQ refuses to finish a job for a token that lost its lock, so this
 * only reaches the log; the job's current run decides.
 */
export class OwnershipLostError extends Error {
  constructor(id: string) {
    super(`the round of notification ${id} lost its job's lock; the job's current run decides`);
    this.name = 'OwnershipLostError';
  }
}

/**
 * Runs one queue job: a producer's `send` (accepted first) or Herald's own
 * `deliver`. Each run is one delivery round, owned by the job's lock token; a round that finds
 * no provider puts the same job back as delayed until the next round, so a producer's
 * `waitUntilFinished` resolves only once the notification is delivered or failed for good,
 * whatever `attempts` the producer gave the job.
 */
@Injectable()
export class NotificationJobProcessor {
  private readonly logger = new Logger(NotificationJobProcessor.name);

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly records: NotificationRecordsRepository,
    private readonly lifecycle: NotificationLifecycle,
    private readonly acceptance: NotificationAcceptance,
    private readonly delivery: DeliveryService,
    private readonly metrics: MetricsService,
    private readonly fallbackSteps: FallbackSteps,
    private readonly redis: RedisService,
  ) {}

  async process(job: Job, token: string | undefined): Promise<DeliveryJobResult> {
    try {
      switch (job.name) {
        case DELIVER_JOB:
          return await this.deliverJob(job, token);
        case SEND_JOB:
          return await this.sendJob(job, token);
        case FALLBACK_TIMER_JOB:
          return await this.timerJob(job);
        default:
          throw new UnrecoverableError(
            `unknown job name "${job.name}": Herald's queue takes "${SEND_JOB}" jobs`,
          );
      }
    } catch (err) {
      if (isRedisUnavailable(err)) return this.later(job, token, REDIS_OUTAGE_RETRY_MS);
      throw err;
    }
  }

  /** The notification a job delivers, once known: for a failed job's record (see the worker). */
  notificationOf(job: Job): string | undefined {
    const data = (job.data ?? {}) as Record<string, unknown>;
    const ownJob = job.name === DELIVER_JOB || job.name === FALLBACK_TIMER_JOB;
    const id = ownJob ? data.notificationId : data[ACCEPTED_SEND_JOB_FIELD];
    return typeof id === 'string' && id !== '' ? id : undefined;
  }

  /** The fallback step a delivery job delivers: 0, the message itself, unless it says another. */
  private stepOf(job: Job): number {
    const step = ((job.data ?? {}) as Partial<DeliverJobData>).step;
    return job.name === DELIVER_JOB && Number.isInteger(step) ? step! : 0;
  }

  /**
   * A job failed for good (an unexpected error, stalled too often): its record must not stay
   * `queued` or `sending`. Conditional: only a record this job's round left behind.
   */
  async failOrphan(job: Job, reason: string): Promise<void> {
    const id = this.notificationOf(job);
    if (!id || !job.id) return;
    if (job.name !== FALLBACK_TIMER_JOB) {
      const outcome = await this.lifecycle.failOrphan(
        id,
        this.lockKey(job),
        { errorClass: 'exhausted', detail: `the delivery job failed: ${reason}` },
        this.stepOf(job),
      );
      if (outcome.kind === 'advanced') {
        await this.fallbackSteps.started(id, outcome.advanced);
      } else if (outcome.kind === 'failed') {
        this.logger.warn(
          { notificationId: id, jobId: job.id },
          `notification ${id} failed with its job`,
        );
      }
    }
    // The job may have failed between starting a fallback step and queueing its delivery.
    await this.fallbackSteps.ensureCurrentStep(id);
  }

  /**
   * A step's `fallbackAfterSeconds` ran out: the next step supersedes it unless it was sent (or
   * ended) in time. Run again after a crash, it finds the next step started and makes sure
   * that step's job exists.
   */
  private async timerJob(job: Job): Promise<DeliveryJobResult> {
    const { notificationId: id, step } = (job.data ?? {}) as Partial<StepJobData>;
    if (typeof id !== 'string' || id === '' || !Number.isInteger(step)) {
      throw new UnrecoverableError('fallback timer job without a notificationId and step');
    }
    const outcome = await this.lifecycle.stepTimeout(id, step!);
    switch (outcome.kind) {
      case 'gone':
        return { id, status: 'cancelled' };
      case 'advanced':
        await this.fallbackSteps.started(id, outcome.advanced);
        return { id, status: 'queued' };
      case 'other_step':
        if (outcome.step > step!) await this.fallbackSteps.ensureCurrentStep(id);
        return { id, status: outcome.status };
      case 'kept':
        return { id, status: outcome.status };
    }
  }

  /** The key of `job`'s BullMQ lock, under its queue's (its shard's) prefix. */
  private lockKey(job: Job): string {
    return jobLockKey({ prefix: job.prefix, name: job.queueName }, job.id!);
  }

  private async deliverJob(job: Job, token: string | undefined): Promise<DeliveryJobResult> {
    const { notificationId } = (job.data ?? {}) as Partial<DeliverJobData>;
    if (typeof notificationId !== 'string' || notificationId === '') {
      throw new UnrecoverableError('deliver job without a notificationId');
    }
    return this.deliver(notificationId, job, token, this.stepOf(job));
  }

  private async sendJob(job: Job, token: string | undefined): Promise<DeliveryJobResult> {
    // A run after the first: the job keeps the notification it created, so no run
    // creates a second one, whether or not the idempotency key still exists.
    const known = this.notificationOf(job);
    if (known !== undefined) {
      if ((await this.records.sourceJob(known)) !== job.id) {
        throw new UnrecoverableError(
          `${ACCEPTED_SEND_JOB_FIELD} ${known} does not name a notification this job created`,
        );
      }
      return this.deliver(known, job, token);
    }
    let acceptance: Awaited<ReturnType<NotificationAcceptance['acceptJob']>>;
    try {
      acceptance = await this.acceptance.acceptJob(
        job.data,
        job.id!,
        job.timestamp,
        this.shardOf(job),
      );
    } catch (err) {
      if (err instanceof HeraldError && PERMANENT_INTAKE_ERRORS.has(err.code)) {
        const fields = (err.extra.errors ?? []).map((e) => `${e.field}: ${e.message}`);
        throw new UnrecoverableError([err.message, ...fields].join(' '));
      }
      throw err;
    }
    switch (acceptance.kind) {
      case 'accepted': {
        // The record holds the message now: the job keeps only its id, so no message body
        // stays in the queue past the record's life. Written by the round's start itself (see
        // `deliver`), not before it: one round trip instead of two. Set on this run's job
        // object too, as `Job.updateData` would: a job that fails for good in this run is
        // followed to its record by it (see `failOrphan`).
        const data = { [ACCEPTED_SEND_JOB_FIELD]: acceptance.id };
        job.data = data;
        return this.deliver(acceptance.id, job, token, 0, {
          key: jobKey({ prefix: job.prefix, name: job.queueName }, job.id!),
          data: JSON.stringify(data),
        });
      }
      case 'replayed': {
        // Another job or request owns this key: report on its notification, never send it again.
        const record = await this.records.get(acceptance.id);
        return record ? resultOf(record) : { id: acceptance.id, status: 'queued' };
      }
      case 'handed': {
        // Added to another shard's queue than its key's: that shard's `deliver` job delivers it.
        const record = await this.records.get(acceptance.id);
        return record ? resultOf(record) : { id: acceptance.id, status: 'queued' };
      }
      case 'in_flight':
        return this.later(job, token, IN_FLIGHT_RECHECK_MS);
    }
  }

  /** The notification shard of the queue `job` is on (by its prefix). */
  private shardOf(job: Job): number {
    return Math.max(0, this.redis.shards.prefixes.indexOf(job.prefix));
  }

  /**
   * One delivery round of notification `id`, owned by this run's lock token, and what the job
   * does next. `jobData`: the job's own data, written by the round's start in the same step
   * (whatever it finds), so the round sends nothing before it is written and a run stopped
   * after it leaves a job its next run resumes (its acceptance finds the notification this job
   * created).
   */
  private async deliver(
    id: string,
    job: Job,
    token: string | undefined,
    step = 0,
    jobData?: { readonly key: string; readonly data: string },
  ): Promise<DeliveryJobResult> {
    if (token === undefined || !job.id) {
      if (jobData) await job.updateData(job.data);
      throw new UnrecoverableError('job without a lock token');
    }
    const owner: RoundOwner = { token, lockKey: this.lockKey(job), step };
    const start = await this.lifecycle.startRound(id, owner, this.delivery.firstCalls(), jobData);
    switch (start.kind) {
      case 'gone':
        throw new UnrecoverableError(
          `notification ${id} not found: its record expired or was removed`,
        );
      case 'other_step':
        // Its step ended (failed over to the next, or superseded): that step's job delivers.
        // This run may follow a crash between starting the step and queueing its job.
        await this.fallbackSteps.ensureCurrentStep(id);
        return resultOf((await this.records.get(id))!);
      case 'final':
        // A job that ran again (crash, stalled lock, manual retry) after a provider accepted it.
        return resultOf((await this.records.get(id))!);
      case 'busy':
        // Another round owns it and is alive (or its call may still answer): never send beside it.
        this.logger.warn(
          { notificationId: id, jobId: job.id },
          `notification ${id} is being delivered by another round; this run waits`,
        );
        return this.later(job, token, Math.min(start.waitMs, this.config.queue.lockMs) + 50);
      case 'not_yet':
        // Scheduled: a producer's job, or one promoted early, waits for the send time.
        return this.later(job, token, start.waitMs);
      case 'not_startable': {
        // Cancelled before this round: the job is done, and nothing was sent.
        if (start.status === 'cancelled') return { id, status: 'cancelled' };
        const record = await this.records.get(id);
        throw new UnrecoverableError(
          reasonOf(
            record?.failure ?? {
              errorClass: 'exhausted',
              detail: `notification is ${start.status}`,
            },
          ),
        );
      }
      case 'started':
        break;
    }
    const { round, budgetFrom, message } = start;
    if (start.interrupted) {
      this.logger.warn(
        { notificationId: id, provider: start.interrupted, round },
        `resuming an interrupted delivery: ${start.interrupted} may have accepted it already`,
      );
    }
    if (!message) {
      return this.fail(id, owner, undefined, {
        errorClass: 'invalid',
        detail: 'the record holds no message',
      });
    }

    const outcome = await this.delivery.deliverRound(id, message, round, owner, start.begun);
    switch (outcome.kind) {
      case 'delivered': {
        const status = message.channel === 'chat' ? 'delivered' : 'sent';
        this.metrics.notifications.inc({ kind: message.channel, status });
        return {
          id,
          status,
          provider: outcome.provider,
          providerMessageId: outcome.providerMessageId,
        };
      }
      case 'lost':
        // Superseded by the next fallback step (its time ran out): that step's job delivers.
        if ((await this.lifecycle.currentStep(id))?.step !== step) {
          return resultOf((await this.records.get(id))!);
        }
        throw new OwnershipLostError(id);
      case 'rejected':
        return this.fail(id, owner, message.channel, {
          errorClass: 'rejected',
          detail: `${outcome.provider}: ${outcome.detail}`,
        });
      case 'retry-later': {
        const roundsThisDrive = round - budgetFrom;
        if (roundsThisDrive >= this.config.retry.attempts) {
          return this.fail(id, owner, message.channel, {
            errorClass: 'exhausted',
            detail: `no provider took it in ${roundsThisDrive} round${roundsThisDrive > 1 ? 's' : ''}; last round: ${outcome.summary}`,
          });
        }
        const delayMs = retryDelayMs(roundsThisDrive, this.config.retry, outcome.retryAfterMs);
        const waiting = await this.lifecycle.markWaiting(
          id,
          owner,
          new Date(Date.now() + delayMs).toISOString(),
        );
        if (!waiting) throw new OwnershipLostError(id);
        return this.later(job, token, delayMs);
      }
    }
  }

  private async fail(
    id: string,
    owner: RoundOwner,
    kind: NotificationRecord['channel'] | undefined,
    failure: NotificationFailure,
  ): Promise<DeliveryJobResult> {
    const outcome: StepFailure = await this.lifecycle.markFailed(id, owner, failure);
    switch (outcome.kind) {
      case 'lost':
        throw new OwnershipLostError(id);
      case 'advanced':
        // The step failed, and its fallback step takes over: this job's work is done.
        await this.fallbackSteps.started(id, outcome.advanced);
        return { id, status: 'queued' };
      case 'failed':
        if (kind) this.metrics.notifications.inc({ kind, status: 'failed' });
        throw new UnrecoverableError(reasonOf(failure));
    }
  }

  /**
   * Puts the job back as delayed, same id, for another run after `delayMs`. BullMQ counts no
   * attempt for it, so this works for producers' jobs with `attempts: 1`.
   *
   * When Redis refuses the move too (an outage, a failover), the job must stay active, so that
   * its lock runs out and the stalled-job check hands it to another run. DelayedError is what
   * tells BullMQ the processor placed the job itself: any other error would have it moved to
   * failed as soon as the connection is back (a cluster's new master answers within seconds),
   * failing for good a notification nothing was wrong with.
   */
  private async later(job: Job, token: string | undefined, delayMs: number): Promise<never> {
    try {
      await job.moveToDelayed(Date.now() + delayMs, token);
    } catch {
      // Left active: its lock expires and another run picks it up (see above).
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
