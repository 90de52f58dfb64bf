import { setTimeout as sleep } from 'node:timers/promises';
import type { EventLog, EventRecord } from './event-log';
import type { OutboundEvent } from './outbound-event';

/** Delivery limits of the events a simulator sends. */
export interface EventDeliveryOptions {
  /** Milliseconds a webhook has to answer one POST. Default 5000. */
  readonly deadlineMs?: number;
  /**
   * Milliseconds waited before each retry of an event that got no 2xx; its length is the
   * number of retries. Default `[1000, 5000, 15000]` (providers retry for hours; a
   * simulator need not).
   */
  readonly retryDelaysMs?: readonly number[];
  /** Sends (each with its events) waiting to be delivered; more are dropped. Default 1000. */
  readonly maxQueued?: number;
  /** POSTs in flight at once. Default 4. */
  readonly concurrency?: number;
}

/** The events that follow one accepted send (or one SNS handshake), delivered in order. */
export interface EventJob {
  readonly delayMs: number;
  readonly repeat: number;
  readonly events: readonly OutboundEvent[];
}

/** A job with the records of its deliveries, one per event and copy, made when it was queued. */
interface QueuedJob {
  readonly job: EventJob;
  readonly records: readonly (readonly EventRecord[])[];
}

/**
 * Delivers events as providers do: after the send was answered, never holding it up; each
 * POST with a deadline; retried with backoff when the webhook does not answer 2xx; the
 * events of one send in order (delivered before its complaint). The queue is bounded: a
 * send that does not fit has its events recorded as `dropped`.
 */
export class EventDispatcher {
  private readonly deadlineMs: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly maxQueued: number;
  private readonly concurrency: number;
  private readonly queue: QueuedJob[] = [];
  private running = 0;
  private stopping = new AbortController();

  constructor(
    private readonly log: EventLog,
    options: EventDeliveryOptions = {},
  ) {
    this.deadlineMs = options.deadlineMs ?? 5000;
    this.retryDelaysMs = options.retryDelaysMs ?? [1000, 5000, 15000];
    this.maxQueued = options.maxQueued ?? 1000;
    this.concurrency = options.concurrency ?? 4;
    // Nothing is delivered before the simulator listens (see restart).
    this.stopping.abort();
  }

  /** Queues a job and records its events as `pending` (or `dropped`); returns at once. */
  enqueue(job: EventJob): void {
    if (this.stopping.signal.aborted) return;
    const records = job.events.map((event) =>
      Array.from({ length: job.repeat }, (_, i) => this.log.add(event, i + 1)),
    );
    if (this.queue.length >= this.maxQueued) {
      for (const record of records.flat()) {
        record.status = 'dropped';
        record.reason = 'event queue full';
      }
      return;
    }
    this.queue.push({ job, records });
    this.pump();
  }

  /** Records an event that will not be sent, with the reason. */
  skip(event: OutboundEvent, reason: string): void {
    const record = this.log.add(event, 1);
    record.status = 'skipped';
    record.reason = reason;
  }

  /** Abandons every queued and running delivery (waiting ones end at once). */
  stop(): void {
    this.stopping.abort();
    this.queue.length = 0;
  }

  /** Accepts jobs again after a stop. */
  restart(): void {
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const queued = this.queue.shift()!;
      this.running += 1;
      void this.run(queued, this.stopping.signal).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async run({ job, records }: QueuedJob, stop: AbortSignal): Promise<void> {
    try {
      if (job.delayMs > 0) await sleep(job.delayMs, undefined, { signal: stop });
      for (const [i, event] of job.events.entries()) {
        const copies = records[i]!;
        let request;
        try {
          request = await event.build();
        } catch (err) {
          for (const record of copies) {
            record.status = 'failed';
            record.reason = `could not build the event: ${describe(err)}`;
          }
          continue;
        }
        for (const record of copies) {
          record.request = request;
          await this.deliver(event, record, stop);
        }
      }
    } catch {
      // Only a stop ends a job early; its records stay as they were.
    }
  }

  private async deliver(event: OutboundEvent, record: EventRecord, stop: AbortSignal) {
    for (let attempt = 0; ; attempt += 1) {
      const at = new Date().toISOString();
      try {
        const response = await fetch(event.url, {
          method: 'POST',
          headers: record.request!.headers,
          body: record.request!.body,
          redirect: 'manual',
          signal: AbortSignal.any([stop, AbortSignal.timeout(this.deadlineMs)]),
        });
        // The answer's body means nothing to a provider; read it so the socket is freed.
        await response.arrayBuffer().catch(() => undefined);
        record.attempts.push({ at, status: response.status });
        if (response.ok) {
          record.status = 'delivered';
          return;
        }
      } catch (err) {
        if (stop.aborted) throw err;
        record.attempts.push({ at, error: describe(err) });
      }
      const wait = this.retryDelaysMs[attempt];
      if (wait === undefined) {
        record.status = 'failed';
        return;
      }
      await sleep(wait, undefined, { signal: stop });
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'no answer before the deadline';
    const cause = (err as { cause?: { code?: string } }).cause;
    return cause?.code ?? err.message;
  }
  return String(err);
}
