import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { redisUnavailableReason } from '../redis/redis-errors';
import { RedisService } from '../redis/redis.service';
import { NotificationJobProcessor } from './notification-job.processor';

/** Seconds a completed job stays in the queue for inspection (then BullMQ removes it). */
export const FINISHED_JOB_RETENTION_SECONDS = 3_600;

/**
 * The BullMQ worker of the notifications queue. Built here rather than with @nestjs/bullmq's
 * `@Processor(name, options)`: that decorator fixes the queue name and worker options at
 * compile time, while Herald's queue name, concurrency and lock duration are configuration.
 */
@Injectable()
export class NotificationWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(NotificationWorker.name);
  private worker?: Worker;
  private stopping = false;
  /** Whether the last thing heard from Redis was an error: one log line per outage. */
  private failing = false;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly redis: RedisService,
    private readonly processor: NotificationJobProcessor,
  ) {}

  /**
   * Starts the worker once Redis first answers: a BullMQ worker that never connected cannot
   * be closed (its `close()` waits for the connection), so one started while Redis is down
   * would hold shutdown forever. After that it reconnects by itself (RedisService's policy).
   */
  onApplicationBootstrap(): void {
    if (this.redis.client.status === 'ready') this.start();
    else this.redis.client.once('ready', this.startOnce);
  }

  private readonly startOnce = () => this.start();

  private start(): void {
    if (this.worker || this.stopping) return;
    const { queue, retry } = this.config;
    const worker = new Worker(
      queue.name,
      (job: Job, token?: string) => this.processor.process(job, token),
      {
        // A worker's blocking reads wait out an outage rather than fail (BullMQ's own rule).
        connection: this.redis.connectionOptions({
          connectionName: 'herald-worker',
          maxRetriesPerRequest: null,
        }),
        prefix: queue.prefix,
        concurrency: queue.concurrency,
        lockDuration: queue.lockMs,
        stalledInterval: queue.lockMs,
        // Each stall costs the notification a delivery round, and rounds are bounded by
        // HERALD_RETRY_ATTEMPTS; BullMQ's default of 1 would fail a job after a second crash.
        maxStalledCount: retry.attempts,
        // Finished jobs go, unless a producer's job says otherwise: a completed job after an
        // hour, a failed one (inspectable) with the record's retention. Neither holds a message
        // body by then: an accepted `send` job keeps only its notification id.
        removeOnComplete: { age: FINISHED_JOB_RETENTION_SECONDS },
        removeOnFail: { age: this.config.records.ttlSeconds },
      },
    );
    worker.on('error', (err: Error) => {
      if (this.failing) return;
      this.failing = true;
      // Unreachable, or reachable but refusing (full, read-only, a cluster failing over).
      const reason = redisUnavailableReason(err) ?? 'unexpected error';
      this.logger.warn(
        { err: { message: err.message, code: (err as NodeJS.ErrnoException).code }, reason },
        `queue worker cannot use Redis (${reason.replaceAll('_', ' ')}); it keeps retrying in the background`,
      );
    });
    const recovered = () => {
      if (!this.failing) return;
      this.failing = false;
      this.logger.log('queue worker reaches Redis again');
    };
    worker.on('active', recovered);
    worker.on('drained', recovered);
    worker.on('failed', (job: Job | undefined, err: Error) => {
      this.logger.warn(
        { jobId: job?.id, jobName: job?.name, reason: err.message },
        `job ${job?.id ?? '(unknown)'} failed: ${err.message}`,
      );
      // Failed for good (not put back for another attempt): no record may stay behind `sending`.
      if (job?.finishedOn) {
        this.processor
          .failOrphan(job, err.message)
          .catch((e: unknown) =>
            this.logger.warn(
              { jobId: job.id, err: { message: (e as Error).message } },
              'could not fail the record of a failed job; its next round start will',
            ),
          );
      }
    });
    worker.on('stalled', (jobId: string) => {
      this.logger.warn({ jobId }, `job ${jobId} stalled (a worker stopped); it runs again`);
    });
    this.worker = worker;
  }

  /**
   * Stops taking jobs and waits for the active ones, so they finish while Redis and the
   * channels are still there (their own shutdown hooks run after every module's destroy).
   */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.redis.client.off('ready', this.startOnce);
    const worker = this.worker;
    if (!worker) return;
    // close() also waits for Redis; during an outage it would never end. Past the grace period
    // the process goes on without it: an unfinished job runs again elsewhere once its lock expires.
    const grace = new Promise<'late'>((resolve) =>
      setTimeout(() => resolve('late'), this.config.shutdownGraceMs).unref(),
    );
    if ((await Promise.race([worker.close(), grace])) === 'late') {
      this.logger.warn('queue worker did not close within the grace period (Redis unreachable?)');
    }
  }
}
