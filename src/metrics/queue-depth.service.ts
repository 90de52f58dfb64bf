import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { NOTIFICATIONS_QUEUE } from '../queue/queue.constants';

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

/** Counts the notifications queue's jobs by state, for `/metrics` and `/status`. */
@Injectable()
export class QueueDepthService {
  constructor(@InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue) {}

  /** Rejects when Redis does not answer, or not within a second. */
  async depth(): Promise<QueueDepth> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new QueueDepthTimeoutError()), COUNT_TIMEOUT_MS);
    });
    try {
      const counts = await Promise.race([this.queue.getJobCounts(...QUEUE_STATES), timeout]);
      return Object.fromEntries(QUEUE_STATES.map((s) => [s, counts[s] ?? 0])) as QueueDepth;
    } finally {
      clearTimeout(timer);
    }
  }
}
