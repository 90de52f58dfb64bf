import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { ManagedWorker } from '../queue/managed-worker';
import { RedisService } from '../redis/redis.service';
import { NotificationJobProcessor } from './notification-job.processor';

/** Seconds a completed job stays in the queue for inspection (then BullMQ removes it). */
export const FINISHED_JOB_RETENTION_SECONDS = 3_600;

/**
 * The BullMQ workers of the notifications queues: one per notification shard, so every worker
 * process consumes every shard. Built here rather than with @nestjs/bullmq's
 * `@Processor(name, options)`: that decorator fixes the queue name and worker options at
 * compile time, while Herald's queue name, concurrency and lock duration are configuration.
 * `HERALD_WORKER_CONCURRENCY` is the process's, split evenly over the shards (rounded up, at
 * least one job per shard), so a process takes about as many jobs at once whatever the count.
 */
@Injectable()
export class NotificationWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(NotificationWorker.name);
  private readonly managed: ManagedWorker<Worker>[];

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly redis: RedisService,
    private readonly processor: NotificationJobProcessor,
  ) {
    const { prefixes } = redis.shards;
    this.managed = prefixes.map(
      (prefix, shard) =>
        new ManagedWorker(
          prefixes.length === 1 ? 'queue worker' : `queue worker of shard ${shard}`,
          redis,
          this.logger,
          config.shutdownGraceMs,
          () => this.build(prefix, Math.ceil(config.queue.concurrency / prefixes.length)),
        ),
    );
  }

  /** Starts the workers once Redis first answers (see ManagedWorker). */
  onApplicationBootstrap(): void {
    for (const managed of this.managed) managed.startWhenReady();
  }

  /**
   * Stops taking jobs and waits for the active ones, so they finish while Redis and the
   * channels are still there (their own shutdown hooks run after every module's destroy).
   */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.managed.map((managed) => managed.close()));
  }

  /** The worker of the shard queue under `prefix`, taking `concurrency` jobs at once. */
  private build(prefix: string, concurrency: number): Worker {
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
        prefix,
        concurrency,
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
    return worker;
  }
}
