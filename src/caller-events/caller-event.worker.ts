import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
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
  private worker?: Worker<CallerEventJobData>;
  private stopping = false;
  private failing = false;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly redis: RedisService,
    private readonly processor: CallerEventProcessor,
  ) {}

  /** Started once Redis first answers, like the notifications worker (a never-connected worker cannot close). */
  onApplicationBootstrap(): void {
    if (this.redis.client.status === 'ready') this.start();
    else this.redis.client.once('ready', this.startOnce);
  }

  private readonly startOnce = () => this.start();

  private start(): void {
    if (this.worker || this.stopping) return;
    const schedule = this.config.callerEvents.retryScheduleMs;
    const worker = new Worker<CallerEventJobData>(
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
    worker.on('error', (err: Error) => {
      if (this.failing) return;
      this.failing = true;
      this.logger.warn(
        { err: { message: err.message } },
        'caller-event worker cannot reach Redis; it keeps retrying in the background',
      );
    });
    worker.on('active', () => {
      this.failing = false;
    });
    this.worker = worker;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.redis.client.off('ready', this.startOnce);
    const worker = this.worker;
    if (!worker) return;
    const grace = new Promise<'late'>((resolve) =>
      setTimeout(() => resolve('late'), this.config.shutdownGraceMs).unref(),
    );
    if ((await Promise.race([worker.close(), grace])) === 'late') {
      this.logger.warn('caller-event worker did not close within the grace period');
    }
  }
}
