import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { NotificationQueues } from '../queue/notification-queues';

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
    private readonly queues: NotificationQueues,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check() {
    const probe = this.indicator.check('queue');
    let timer: NodeJS.Timeout | undefined;
    try {
      // Resolves once the connection first comes up; never, while Redis has been down since start.
      const clients = await Promise.race([
        Promise.all(this.queues.all.map((queue) => queue.getBackend().client)),
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), CONNECT_WAIT_MS);
        }),
      ]);
      if (clients === undefined)
        return probe.down({ message: 'the queue connection is not up yet' });
      // Every shard's queue: an api enqueues on each, a worker takes from each.
      const down = clients.find((client) => client.status !== 'ready');
      return down === undefined
        ? probe.up()
        : probe.down({ message: `the queue connection is ${down.status}` });
    } catch {
      return probe.down({ message: 'the queue connection failed' });
    } finally {
      clearTimeout(timer);
    }
  }
}
