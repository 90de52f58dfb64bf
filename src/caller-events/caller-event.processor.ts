import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { MetricsService } from '../metrics/metrics.service';
import type { CallerEventJobData } from './caller-events.queue';
import { CallerEventSender } from './caller-event.sender';
import { endpointHost, endpointHostAllowed } from './endpoint-host';
import { EventEndpointStore, signingSecrets } from './event-endpoint.store';

/** What a try of an event came to (the job's return value). */
export type CallerEventOutcome = 'delivered' | 'dropped';

/** A try the endpoint did not take; BullMQ retries the job on the configured schedule. */
export class CallerEventTryFailed extends Error {
  override readonly name = 'CallerEventTryFailed';
}

/**
 * One try of one event: posts it to the caller's endpoint as it is now. An event whose caller
 * has no endpoint any more, or one disabled or no longer subscribed to the type, or now on a host
 * HERALD_EVENT_ENDPOINT_HOSTS does not allow, is dropped. When the last try of the schedule
 * fails too, the endpoint is disabled — unless it took an event since this one was queued, or
 * was reconfigured since — and `GET /v1/event-endpoint` says why.
 */
@Injectable()
export class CallerEventProcessor {
  private readonly logger = new Logger(CallerEventProcessor.name);

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly endpoints: EventEndpointStore,
    private readonly sender: CallerEventSender,
    private readonly metrics: MetricsService,
  ) {}

  async process(job: Job<CallerEventJobData>): Promise<CallerEventOutcome> {
    const { eventId, caller, type, generation, payload } = job.data;
    const endpoint = await this.endpoints.get(caller);
    if (
      !endpoint ||
      endpoint.disabled ||
      !endpoint.events.includes(type) ||
      !endpointHostAllowed(endpoint.url, this.config.callerEvents.allowedHosts)
    ) {
      this.metrics.callerEvents.inc({ type, outcome: 'dropped' });
      return 'dropped';
    }
    const outcome = await this.sender.post(
      endpoint.url,
      eventId,
      payload,
      signingSecrets(endpoint),
    );
    if (outcome.ok) {
      await this.endpoints.markSuccess(caller);
      this.metrics.callerEvents.inc({ type, outcome: 'delivered' });
      return 'delivered';
    }
    const tries = job.attemptsMade + 1;
    const last = tries >= (job.opts.attempts ?? 1);
    const host = endpointHost(endpoint.url);
    this.logger.warn(
      { eventId, eventType: type, caller, host, try: tries, reason: outcome.reason },
      `event ${eventId} not taken by ${host} (try ${tries}): ${outcome.reason}`,
    );
    if (last) {
      this.metrics.callerEvents.inc({ type, outcome: 'failed' });
      const reason =
        `event ${eventId} (${type}) was not taken in ${tries} tries since ` +
        `${new Date(job.timestamp).toISOString()}; last: ${outcome.reason}`;
      if (await this.endpoints.disable(caller, generation, job.timestamp, reason)) {
        this.logger.warn({ caller, host }, `event endpoint of ${caller} disabled: ${reason}`);
      }
    }
    throw new CallerEventTryFailed(outcome.reason);
  }
}
