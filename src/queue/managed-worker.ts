import type { Logger } from '@nestjs/common';
import type { Worker } from 'bullmq';
import { redisUnavailableReason } from '../redis/redis-errors';
import type { RedisService } from '../redis/redis.service';

/**
 * The life of one BullMQ worker inside a Nest process, shared by Herald's workers. BullMQ leaves
 * it to the application and @nestjs/bullmq's `@Processor` fixes queue name and options at
 * compile time, while Herald's come from configuration; so it is written here, once:
 * - started once Redis first answers: a BullMQ worker that never connected cannot be closed
 *   (its `close()` waits for the connection), so one started while Redis is down would hold
 *   shutdown forever; after that it reconnects by itself (RedisService's policy);
 * - one log line per Redis outage, and one when it is over;
 * - a close bounded by the shutdown grace: `close()` also waits for Redis, and during an outage
 *   it would never end; an unfinished job runs again elsewhere once its lock expires.
 */
export class ManagedWorker<W extends Worker> {
  private worker?: W;
  private stopping = false;
  /** Whether the last thing heard from Redis was an error. */
  private failing = false;
  private readonly startOnce = () => this.start();

  /**
   * @param label how log lines name the worker (`queue worker`, `caller-event worker`).
   * @param graceMs milliseconds `close()` waits for active jobs (HERALD_SHUTDOWN_GRACE_MS).
   * @param build creates the worker and attaches the listeners of its own.
   */
  constructor(
    private readonly label: string,
    private readonly redis: RedisService,
    private readonly logger: Logger,
    private readonly graceMs: number,
    private readonly build: () => W,
  ) {}

  /** Starts the worker now if Redis answers, else when it first does. */
  startWhenReady(): void {
    if (this.redis.client.status === 'ready') this.start();
    else this.redis.client.once('ready', this.startOnce);
  }

  /** Stops taking jobs and waits for the active ones, at most the grace period. */
  async close(): Promise<void> {
    this.stopping = true;
    this.redis.client.off('ready', this.startOnce);
    const worker = this.worker;
    if (!worker) return;
    const grace = new Promise<'late'>((resolve) =>
      setTimeout(() => resolve('late'), this.graceMs).unref(),
    );
    if ((await Promise.race([worker.close(), grace])) === 'late') {
      this.logger.warn(`${this.label} did not close within the grace period (Redis unreachable?)`);
    }
  }

  private start(): void {
    if (this.worker || this.stopping) return;
    const worker = this.build();
    worker.on('error', (err: Error) => {
      if (this.failing) return;
      this.failing = true;
      // Unreachable, or reachable but refusing (full, read-only, a cluster failing over).
      const reason = redisUnavailableReason(err) ?? 'unexpected error';
      this.logger.warn(
        { err: { message: err.message, code: (err as NodeJS.ErrnoException).code }, reason },
        `${this.label} cannot use Redis (${reason.replaceAll('_', ' ')}); it keeps retrying in the background`,
      );
    });
    const recovered = () => {
      if (!this.failing) return;
      this.failing = false;
      this.logger.log(`${this.label} reaches Redis again`);
    };
    worker.on('active', recovered);
    worker.on('drained', recovered);
    this.worker = worker;
  }
}
