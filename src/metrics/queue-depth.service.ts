import { Injectable } from '@nestjs/common';
import { NotificationQueues } from '../queue/notification-queues';

/** The job states the operator views count. */
export const QUEUE_STATES = [
  'waiting',
  'prioritized',
  'active',
  'delayed',
  'failed',
  'completed',
] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** Jobs in the notifications queue, by state. */
export type QueueDepth = Readonly<Record<QueueState, number>>;

/** Longest a count may take: a scrape or a page must not hang on a stuck Redis. */
const COUNT_TIMEOUT_MS = 1_000;

/**
 * The queue's Redis did not answer in time. BullMQ waits for a connection that never came up
 * rather than failing, so a Redis down since start shows up as this, not as a Redis error.
 */
export class QueueDepthTimeoutError extends Error {
  constructor() {
    super(`the queue's Redis did not answer in ${COUNT_TIMEOUT_MS} ms`);
    this.name = 'QueueDepthTimeoutError';
  }
}

/**
 * Counts the notifications queues' jobs by state, summed over the notification shards, for
 * `/metrics` and `/status`.
 */
@Injectable()
export class QueueDepthService {
  constructor(private readonly queues: NotificationQueues) {}

  /** Rejects when Redis does not answer, or not within a second. */
  async depth(): Promise<QueueDepth> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new QueueDepthTimeoutError()), COUNT_TIMEOUT_MS);
    });
    try {
      const counts = await Promise.race([
        Promise.all(this.queues.all.map((queue) => queue.getJobCounts(...QUEUE_STATES))),
        timeout,
      ]);
      return Object.fromEntries(
        QUEUE_STATES.map((s) => [s, counts.reduce((sum, c) => sum + (c[s] ?? 0), 0)]),
      ) as QueueDepth;
    } finally {
      clearTimeout(timer);
    }
  }
}
