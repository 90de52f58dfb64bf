import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Queue } from 'bullmq';
import { NOTIFICATIONS_QUEUE } from '../queue/queue.constants';

/** Longest the check waits for the queue's first connection: readiness must answer fast. */
const CONNECT_WAIT_MS = 1_000;

/**
 * Readiness of the notifications queue's own Redis connection (BullMQ keeps its connections
 * apart from Herald's client): while it is down an api cannot enqueue and a worker cannot take
 * jobs, even when Herald's own client reaches Redis; right after start it comes up last.
 */
@Injectable()
export class QueueHealth {
  constructor(
    @InjectQueue(NOTIFICATIONS_QUEUE) private readonly queue: Queue,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check() {
    const probe = this.indicator.check('queue');
    let timer: NodeJS.Timeout | undefined;
    try {
      // Resolves once the connection first comes up; never, while Redis has been down since start.
      const client = await Promise.race([
        this.queue.getBackend().client,
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), CONNECT_WAIT_MS);
        }),
      ]);
      if (client === undefined)
        return probe.down({ message: 'the queue connection is not up yet' });
      return client.status === 'ready'
        ? probe.up()
        : probe.down({ message: `the queue connection is ${client.status}` });
    } catch {
      return probe.down({ message: 'the queue connection failed' });
    } finally {
      clearTimeout(timer);
    }
  }
}
