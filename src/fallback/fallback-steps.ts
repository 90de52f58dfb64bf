import { Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { NotificationLifecycle, type StepAdvance } from '../notifications/notification-lifecycle';
import {
  DELIVER_JOB,
  type DeliverJobData,
  FALLBACK_TIMER_JOB,
  type StepJobData,
} from '../queue/queue.constants';
import { NotificationQueues } from '../queue/notification-queues';
import { RecentFallbacks } from './recent-fallbacks';

/** How long BullMQ keeps finished step and timer jobs: enough to inspect, bounded in memory. */
export const STEP_JOB_RETENTION = {
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
} as const;

/**
 * The job that delivers fallback step `step` (≥ 1) of a notification. Deterministic, so adding it
 * again (a path that crashed after the step started re-drives it) is a no-op while it exists.
 */
export const stepJobId = (notificationId: string, step: number) => `${notificationId}-s${step}`;

/** The job that supersedes step `step` when it is not sent in time; deterministic as well. */
export const timerJobId = (notificationId: string, step: number) => `${notificationId}-t${step}`;

/**
 * Starts fallback steps' work on the queue (the notification's shard's). Every step change itself is a lifecycle transition;
 * what follows it (the next step's delivery job and its timer) is queued here under ids fixed by
 * notification and step, so each path that can stop between the two (a worker that dies, a
 * Redis that does not answer) re-drives it with {@link ensureCurrentStep} and nothing runs twice.
 */
@Injectable()
export class FallbackSteps {
  private readonly logger = new Logger(FallbackSteps.name);

  constructor(
    private readonly queues: NotificationQueues,
    private readonly lifecycle: NotificationLifecycle,
    private readonly metrics: MetricsService,
    private readonly recent: RecentFallbacks,
  ) {}

  /**
   * A transition started step `advanced.step`: counts it, and queues its delivery and, when a
   * step follows it and the notification has `fallbackAfterSeconds`, its timer.
   */
  async started(notificationId: string, advanced: StepAdvance): Promise<void> {
    const labels = await this.counted(notificationId, advanced);
    await this.queueStep(
      notificationId,
      advanced.step,
      advanced.more ? advanced.fallbackAfterMs : undefined,
    );
    // Only the status page reads it: a Redis that blinks here costs a line of it, not the step.
    await this.noted(notificationId, labels);
  }

  /**
   * Intake started a notification at fallback step `advanced.step` (its own recipients are
   * suppressed): counts it and notes it for the status page. Its job and timer were queued with
   * the acceptance.
   */
  async begunAtIntake(notificationId: string, advanced: StepAdvance): Promise<void> {
    await this.noted(notificationId, await this.counted(notificationId, advanced));
  }

  /** Counts and logs a move to step `advanced.step`; answers its metric labels. */
  private async counted(
    notificationId: string,
    advanced: StepAdvance,
  ): Promise<{ from_channel: string; to_channel: string; reason: string }> {
    const labels = {
      from_channel: advanced.fromChannel,
      to_channel: advanced.toChannel,
      reason: advanced.reason,
    };
    this.metrics.fallbacks.inc(labels);
    this.logger.log(
      { notificationId, step: advanced.step, ...labels },
      `notification ${notificationId} falls back to step ${advanced.step} (${advanced.toChannel}): ${advanced.reason}`,
    );
    return labels;
  }

  /** Notes a fallback for the status page, best effort. */
  private async noted(
    notificationId: string,
    labels: { from_channel: string; to_channel: string; reason: string },
  ): Promise<void> {
    await this.recent
      .note(labels)
      .catch((err: unknown) =>
        this.logger.warn(
          { notificationId, err: { message: (err as Error).message } },
          'could not note a fallback for the status page',
        ),
      );
  }

  /**
   * Re-drive: when the notification waits, `queued`, at a fallback step, makes sure that step's
   * job (and timer) exist. Safe to call any number of times.
   */
  async ensureCurrentStep(notificationId: string): Promise<void> {
    const current = await this.lifecycle.currentStep(notificationId);
    if (!current || current.step === 0 || current.status !== 'queued') return;
    const elapsedMs = current.startedAt ? Date.now() - Date.parse(current.startedAt) : 0;
    await this.queueStep(
      notificationId,
      current.step,
      current.more ? current.fallbackAfterMs : undefined,
      elapsedMs,
    );
  }

  /** Queues step `step`'s timer, due `delayMs` from now. */
  async queueTimer(notificationId: string, step: number, delayMs: number): Promise<void> {
    const data: StepJobData = { notificationId, step };
    await this.queues.forId(notificationId).add(FALLBACK_TIMER_JOB, data, {
      jobId: timerJobId(notificationId, step),
      delay: Math.max(0, Math.round(delayMs)),
      ...STEP_JOB_RETENTION,
    });
  }

  /** Takes a step's timer off the queue (an acceptance that is undone); best effort. */
  async withdrawTimer(notificationId: string, step: number): Promise<void> {
    await this.queues.forId(notificationId).remove(timerJobId(notificationId, step));
  }

  private async queueStep(
    notificationId: string,
    step: number,
    fallbackAfterMs: number | undefined,
    elapsedMs = 0,
  ): Promise<void> {
    const data: DeliverJobData = { notificationId, step };
    await this.queues.forId(notificationId).add(DELIVER_JOB, data, {
      jobId: stepJobId(notificationId, step),
      ...STEP_JOB_RETENTION,
    });
    if (fallbackAfterMs !== undefined) {
      await this.queueTimer(notificationId, step, fallbackAfterMs - elapsedMs);
    }
  }
}
