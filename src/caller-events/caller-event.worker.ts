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
import { CallerEventProcessor } from './caller-event.processor';
import {
  CALLER_EVENT_BACKOFF,
  CALLER_EVENTS_QUEUE,
  type CallerEventJobData,
} from './caller-events.queue';

/** Events posted at once by one worker process: each may wait its whole deadline. */
const CONCURRENCY = 20;

/**
 * The BullMQ worker of the `caller-events` queue. Retries follow HERALD_EVENT_RETRY_SCHEDULE_MS
 * (a custom backoff: retry n waits the n-th delay), and keep the job, so the event keeps its id.
 */
@Injectable()
export class CallerEventWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CallerEventWorker.name);
  private readonly managed: ManagedWorker<Worker<CallerEventJobData>>;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly redis: RedisService,
    private readonly processor: CallerEventProcessor,
  ) {
    this.managed = new ManagedWorker(
      'caller-event worker',
      redis,
      this.logger,
      config.shutdownGraceMs,
      () => this.build(),
    );
  }

  onApplicationBootstrap(): void {
    this.managed.startWhenReady();
  }

  async onModuleDestroy(): Promise<void> {
    await this.managed.close();
  }

  private build(): Worker<CallerEventJobData> {
    const schedule = this.config.callerEvents.retryScheduleMs;
    return new Worker<CallerEventJobData>(
      CALLER_EVENTS_QUEUE,
      (job: Job<CallerEventJobData>) => this.processor.process(job),
      {
        // A worker's blocking reads wait out an outage rather than fail (BullMQ's own rule).
        connection: this.redis.connectionOptions({
          connectionName: 'herald-caller-event-worker',
          maxRetriesPerRequest: null,
        }),
        prefix: this.config.queue.prefix,
        concurrency: CONCURRENCY,
        settings: {
          backoffStrategy: (attemptsMade: number, type?: string) =>
            type === CALLER_EVENT_BACKOFF
              ? (schedule[Math.min(attemptsMade, schedule.length) - 1] ?? 0)
              : 0,
        },
      },
    );
  }
}
