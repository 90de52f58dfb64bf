import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ChannelKind } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { z } from 'zod';
import { HeraldError } from '../errors/herald-error';
import { FallbackSteps } from '../fallback/fallback-steps';
import { problemBody, problemOf } from '../errors/problem.filter';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency/idempotency-key';
import { fingerprint } from '../idempotency/canonical-json';
import {
  type IdempotencyClaim,
  type IdempotencyOutcome,
  IdempotencyStore,
} from '../idempotency/idempotency.store';
import { DELIVER_JOB, type DeliverJobData } from '../queue/queue.constants';
import { NotificationQueues } from '../queue/notification-queues';
import type { QueueShards } from '../queue/queue-shards';
import { RedisService } from '../redis/redis.service';
import {
  type ScreenedMessage,
  type SuppressionCheck,
  SuppressionScreen,
} from '../suppression/suppression-screen';
import { TemplatesService } from '../templates/templates.service';
import { assertJsonDepth } from './json-depth';
import {
  type AcceptanceOutcome,
  type AcceptanceWrite,
  DELIVER_JOB_RETENTION,
  NotificationAcceptanceStore,
  QUEUE_WRITE_DEADLINE_MS,
  withDeadline,
} from './notification-acceptance.store';
import {
  type NotificationJobData,
  type NotificationMessage,
  type NotificationRequest,
  type NotificationSchemas,
  notificationSchemas,
  parseOrThrow,
  sendAtProblems,
} from './notification-message.schema';
import {
  type NewNotification,
  NotificationRecordsRepository,
  firstStepOf,
  nextOpenStep,
  scheduleDelaySeconds,
} from './notification-records.repository';

/** A submission's fallback steps as the record keeps them (see NewNotification). */
type Route = Pick<
  NewNotification,
  'fallback' | 'fallbackAfterSeconds' | 'skipFirstStep' | 'suppressedSteps'
>;

/**
 * A message cleared for its acceptance: screened, or with `check` the part of the screening its
 * acceptance's transaction does (see SuppressionScreen.deferred).
 */
type Cleared<M extends NotificationMessage> = ScreenedMessage<M> & {
  readonly route: Route;
  readonly check?: SuppressionCheck;
};

/** The answer to an accepted `POST /v1/notifications`. */
export interface AcceptedNotification {
  readonly id: string;
  readonly status: 'queued' | 'scheduled';
  readonly channel: ChannelKind;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601, as requested: when a scheduled notification is to be sent. */
  readonly sendAt?: string;
  /** E-mail addresses left out because they are on the suppression list, masked. */
  readonly suppressed?: readonly string[];
}

/** What `POST /v1/notifications` answers: the acceptance, and whether it is a replay. */
export interface RequestAcceptance {
  readonly answer: AcceptedNotification;
  /** True when an earlier request with the same Idempotency-Key and body gave this answer. */
  readonly replayed: boolean;
}

/** One item's outcome in a batch: accepted (202, as a single request) or its problem. */
export type BatchItemResult =
  | {
      readonly index: number;
      readonly status: 202;
      readonly id: string;
      /** Its idempotencyKey answered an earlier acceptance: `id` is that notification's. */
      readonly replayed?: true;
      /** E-mail addresses left out because they are suppressed, masked. */
      readonly suppressed?: readonly string[];
    }
  | { readonly index: number; readonly status: number; readonly problem: Record<string, unknown> };

/** What the worker should do with a producer's `send` job. */
export type JobAcceptance =
  /** A new notification, or this same job running again: continue delivering `id`. */
  | { readonly kind: 'accepted'; readonly id: string }
  /** Another job or request already owns this idempotency key: do not deliver again. */
  | { readonly kind: 'replayed'; readonly id: string }
  /**
   * Accepted on its key's shard, not this job's: a `deliver` job on that shard's queue
   * delivers `id`, and this job is done.
   */
  | { readonly kind: 'handed'; readonly id: string }
  /** That key's first use is still being accepted: try again shortly. */
  | { readonly kind: 'in_flight' };

/**
 * The one accept flow of both doors — REST requests and producers' queue jobs: the same schema,
 * the same channel checks and the same idempotency rules, then the record
 * (`queued`) and its job. The worker uses this and nothing of the REST side.
 */
@Injectable()
export class NotificationAcceptance {
  private readonly logger = new Logger(NotificationAcceptance.name);
  private readonly schemas: NotificationSchemas;
  private readonly shards: QueueShards;
  /** A batch's envelope, built once: building a zod schema costs more than parsing with it. */
  private readonly batchEnvelope: z.ZodType<{ items: unknown[] }>;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    private readonly records: NotificationRecordsRepository,
    private readonly idempotency: IdempotencyStore,
    private readonly queues: NotificationQueues,
    private readonly templates: TemplatesService,
    private readonly fallbackSteps: FallbackSteps,
    private readonly store: NotificationAcceptanceStore,
    private readonly suppression: SuppressionScreen,
    redis: RedisService,
  ) {
    this.schemas = notificationSchemas(config.limits);
    this.batchEnvelope = z.strictObject({
      items: z
        .array(z.unknown())
        .min(1, 'must hold at least one message')
        .max(config.http.batchMax, `must hold at most ${config.http.batchMax} messages`),
    });
    this.shards = redis.shards;
    // Without a listener BullMQ prints every reconnection failure to stderr; RedisService already
    // reports an outage once, and each request that meets it answers 503.
    queues
      .of(0)
      .on('error', (err: Error) =>
        this.logger.debug({ err: { message: err.message } }, 'queue connection error'),
      );
  }

  /**
   * Accepts a REST body for `caller`: validates it, screens its recipients against the
   * suppression list, then claims the idempotency key if one is given, writes the record and
   * queues its delivery. Throws `validation_failed`, `channel_not_configured`,
   * `recipient_suppressed`, `idempotency_key_in_flight` or `idempotency_key_reused`;
   * a Redis outage surfaces as an error the problem filter answers with 503.
   * Screened before the transaction, never inside it: its transaction queues a `deliver` job
   * beside the claim, and a transaction that refused a suppressed recipient would leave that job
   * without a record, for a worker to fail (see {@link acceptJob} for where the check does move
   * into the transaction).
   */
  async acceptRequest(
    caller: string,
    body: unknown,
    idempotencyKey?: string,
  ): Promise<RequestAcceptance> {
    assertJsonDepth(body);
    const request = parseOrThrow(this.schemas.message, body);
    const { sendAt, fallback, fallbackAfterSeconds, ...unscheduled } = request;
    this.assertSendAt(sendAt, Date.now());
    // A templated request is rendered here, once: retries and failover send the stored bytes.
    const admitted = this.admit(this.templates.render(unscheduled as NotificationRequest));
    const route = this.routeOf(fallback, fallbackAfterSeconds);
    // A keyed notification lives on its key's shard, beside its claim; any other on any shard.
    const id =
      idempotencyKey === undefined
        ? randomUUID()
        : this.shards.newId(this.shards.ofKey(idempotencyKey));
    const createdAtMs = Date.now();
    const createdAt = new Date(createdAtMs).toISOString();
    const claim: IdempotencyClaim | undefined =
      idempotencyKey === undefined
        ? undefined
        : {
            scope: `caller:${caller}`,
            key: idempotencyKey,
            // The request as sent, not its rendering: the same body replays after a template edit.
            fingerprint: fingerprint(request),
            owner: id,
            id,
          };
    const screened = await this.screenRoute(admitted, route, claim);
    if ('kind' in screened) return requestReplay(screened);
    const { message, suppressed } = screened;
    // Optional fields assigned, not spread from an object made for each: every request pays.
    const answer: Mutable<AcceptedNotification> = {
      id,
      status: sendAt === undefined ? 'queued' : 'scheduled',
      channel: message.channel,
      createdAt,
    };
    const input: Mutable<NewNotification> & { createdAt: string } = {
      id,
      caller,
      message,
      createdAt,
    };
    if (sendAt !== undefined) answer.sendAt = input.sendAt = sendAt;
    if (suppressed.length > 0) answer.suppressed = input.suppressed = suppressed;
    Object.assign(input, screened.route);
    // Claim, record and job in one transaction: 'new' means all of it landed.
    const found = await this.write(input, claim, claim && storedAnswer(answer, createdAtMs));
    if (found.kind !== 'new') return requestReplay(found);
    await this.begunAtFallback(input);
    return { answer, replayed: false };
  }

  /**
   * Accepts each item of a batch on its own, as {@link acceptRequest} would accept it alone (its
   * `idempotencyKey` field playing the header's part): one bad item fails alone. The items run
   * concurrently, so their Redis commands share round trips on the one connection instead of
   * waiting for each other. Throws `validation_failed` only for the envelope (`items`).
   */
  async acceptBatch(caller: string, body: unknown): Promise<BatchItemResult[]> {
    const { items } = parseOrThrow(this.batchEnvelope, body);
    return Promise.all(
      items.map(async (item, index): Promise<BatchItemResult> => {
        try {
          const { message, key } = splitBatchItem(item);
          const { answer, replayed } = await this.acceptRequest(caller, message, key);
          return {
            index,
            status: 202,
            id: answer.id,
            ...(replayed ? { replayed: true as const } : {}),
            ...(answer.suppressed ? { suppressed: answer.suppressed } : {}),
          };
        } catch (err) {
          const problem = problemOf(err);
          // A Redis outage or a fault of Herald's fails the whole request, as it would alone.
          if (problem.status >= 500) throw err;
          return { index, status: problem.status, problem: problemBody(problem) };
        }
      }),
    );
  }

  /**
   * Accepts a producer's `send` job with the same schema and checks as REST.
   * The idempotency key is `data.idempotencyKey` scoped to the queue, else the job id in a scope
   * of its own; the job id owns its claim, so a job that runs again (after a crash) finds its own notification.
   * Throws `validation_failed` (the message names every bad field), `channel_not_configured`
   * or `idempotency_key_reused` — none of which a retry can fix. `addedAtMs` is when the producer
   * added the job (BullMQ's `job.timestamp`): a `sendAt` is judged against that moment.
   * `jobShard` is the shard of the queue the job is on. A keyed notification lives on its key's
   * shard; when that is another, the job hands it over (`handed`): its record and a `deliver`
   * job are written on that shard, whose queue delivers it. A job that carries its notification
   * (no `deliver` job beside the claim) leaves the check of its shard's suppression list to its
   * transaction: only when that finds a recipient is the job accepted again (`screenFirst`),
   * screened, under a new id (nothing of the first try was written). A handed one is screened
   * first, as a REST request is (see {@link acceptRequest}).
   */
  async acceptJob(
    data: unknown,
    jobId: string,
    addedAtMs = Date.now(),
    jobShard = 0,
    screenFirst = false,
  ): Promise<JobAcceptance> {
    assertJsonDepth(data);
    const parsed: NotificationJobData = parseOrThrow(this.schemas.job, data);
    const { idempotencyKey, sendAt, fallback, fallbackAfterSeconds, ...rest } = parsed;
    this.assertSendAt(sendAt, addedAtMs);
    const request = rest as NotificationRequest;
    // The job itself waits for the time: its first round finds the record not yet due.
    const scheduled = sendAt === undefined ? {} : { sendAt };
    const admitted = this.admit(this.templates.render(request));
    const route = this.routeOf(fallback, fallbackAfterSeconds);
    const shard = idempotencyKey === undefined ? jobShard : this.shards.ofKey(idempotencyKey);
    // On another shard the job cannot carry the notification: its lock is in another slot.
    const carrier = shard === jobShard ? jobId : undefined;
    const accepted = (found: string): JobAcceptance =>
      carrier === undefined ? { kind: 'handed', id: found } : { kind: 'accepted', id: found };
    const id = this.shards.newId(shard);
    const claim: IdempotencyClaim = {
      // Not the queue's name of a shard: a key replays whichever shard's queue it comes in on.
      // A job without one is keyed on its own shard, whose job ids are its own.
      // A job without a key is keyed by its id in a scope of its own: no producer's explicit
      // key can ever name it.
      scope: `${idempotencyKey === undefined ? 'queue-job' : 'queue'}:${this.config.queue.name}`,
      key: idempotencyKey ?? jobId,
      fingerprint: fingerprint({
        ...request,
        ...scheduled,
        ...(fallback === undefined ? {} : { fallback }),
        ...(fallbackAfterSeconds === undefined ? {} : { fallbackAfterSeconds }),
      }),
      // Job ids are each queue's own: with several shards, the owner is this shard's job.
      owner: this.shards.count === 1 ? jobId : `${jobShard}/${jobId}`,
      id,
      shard,
    };
    const caller = `queue:${this.config.queue.name}`;
    const screened = await this.screenRoute(
      admitted,
      route,
      claim,
      screenFirst || carrier === undefined ? undefined : shard,
    );
    const found: AcceptanceOutcome =
      'kind' in screened
        ? screened
        : // Claim, record and completion in one transaction, the job being this one: 'new'
          // means all of it landed.
          await this.store.accept(
            this.transaction(
              {
                id,
                caller,
                message: screened.message,
                ...(carrier === undefined ? {} : { job: carrier }),
                ...scheduled,
                ...(screened.suppressed.length > 0 ? { suppressed: screened.suppressed } : {}),
                ...screened.route,
              },
              claim,
              JSON.stringify({ id }),
              carrier,
              screened.check,
            ),
          );
    if (
      !('kind' in screened) &&
      screened.check !== undefined &&
      (found.kind === 'suppressed' || (found.kind === 'owned' && !found.completed))
    ) {
      // A recipient is on the list (nothing was written), or this job's own unfinished claim is
      // to be finished with the message as screened: accepted again, screened first.
      return this.acceptJob(data, jobId, addedAtMs, jobShard, true);
    }
    switch (found.kind) {
      case 'suppressed':
        // Unreachable: a screened message is accepted without a check.
        throw new Error('a screened message was refused as suppressed');
      case 'completed':
        return { kind: 'replayed', id: found.id };
      case 'in_flight':
        return { kind: 'in_flight' };
      case 'reused':
        throw reusedKey();
      case 'owned': {
        if (!found.completed && !('kind' in screened)) {
          // This job claimed the key, then stopped (a crash) before it finished accepting.
          const own = { ...claim, id: found.id };
          if (!(await this.records.get(found.id))) {
            await this.records.create({
              id: found.id,
              caller,
              message: screened.message,
              ...(carrier === undefined ? {} : { job: carrier }),
              ...scheduled,
              ...(screened.suppressed.length > 0 ? { suppressed: screened.suppressed } : {}),
              ...screened.route,
            });
          }
          await this.queueFirstTimer({ id: found.id, ...scheduled, ...screened.route });
          if (carrier === undefined) {
            const first = firstStepOf(screened.route);
            await this.enqueue(found.id, found.id, dueInMs(sendAt), first);
          }
          await this.completeOrLog(own, JSON.stringify({ id: found.id }), sendAt);
        }
        return accepted(found.id);
      }
      case 'new':
        if (!('kind' in screened)) {
          await this.begunAtFallback({ id, message: screened.message, ...screened.route });
        }
        break;
    }
    return accepted(id);
  }

  /**
   * The fallback steps of a submission, each rendered and admitted as its own message would be;
   * a problem is named after its step (`fallback.1.data.order.id`).
   */
  private routeOf(
    fallback: readonly NotificationRequest[] | undefined,
    fallbackAfterSeconds: number | undefined,
  ): { fallback?: NotificationMessage[]; fallbackAfterSeconds?: number } {
    if (fallback === undefined) return {};
    const steps = fallback.map((step, i) => {
      try {
        return this.admit(this.templates.render(step));
      } catch (err) {
        throw err instanceof HeraldError ? inStep(err, i) : err;
      }
    });
    return {
      fallback: steps,
      ...(fallbackAfterSeconds === undefined ? {} : { fallbackAfterSeconds }),
    };
  }

  /**
   * Queues the timer of the first step, when the notification has fallback steps and
   * `fallbackAfterSeconds` (see {@link firstStepTimer}). Only for a record written outside the
   * acceptance's transaction, which otherwise queues the timer itself; the timer's id is fixed,
   * so queueing it again is a no-op.
   */
  private async queueFirstTimer(input: Omit<NewNotification, 'caller' | 'message'>): Promise<void> {
    const timer = firstStepTimer(input);
    if (timer) await this.fallbackSteps.queueTimer(input.id, timer.step, timer.delayMs);
  }

  /**
   * {@link screen} for a message with fallback steps: each step is screened as its own message
   * would be (an e-mail step loses its suppressed addresses; a step left with no recipient is
   * marked, and the route passes over it with reason `suppressed`). When the message's own
   * recipients are suppressed but a step is left, it is accepted starting at that step
   * (`skipFirstStep`); only when every step's recipients are suppressed is it refused.
   * With `shard` (the notification's), a message without fallback steps whose recipients no
   * other shard lists is cleared with the check of that shard's list left to its acceptance's
   * transaction (`check`): no round trip of its own with one shard.
   */
  private async screenRoute<M extends NotificationMessage>(
    message: M,
    route: Route,
    claim: IdempotencyClaim | undefined,
    shard?: number,
  ): Promise<Cleared<M> | Exclude<IdempotencyOutcome, { kind: 'new' }>> {
    const steps = route.fallback ?? [];
    if (steps.length > 0) {
      const cleared = await Promise.all(
        steps.map((step) => this.suppression.screen(step).then((s) => s.message, unlessSuppressed)),
      );
      const suppressedSteps = cleared.flatMap((s, i) => (s === undefined ? [i + 1] : []));
      route = {
        ...route,
        fallback: cleared.map((s, i) => s ?? steps[i]!),
        ...(suppressedSteps.length > 0 ? { suppressedSteps } : {}),
      };
      if (suppressedSteps.length < steps.length) {
        const own = await this.suppression.screen(message).catch(unlessSuppressed);
        return own
          ? { ...own, route }
          : { message, suppressed: [], route: { ...route, skipFirstStep: true } };
      }
    } else if (shard !== undefined) {
      const check = await this.suppression.deferred(message, shard);
      if (check) return { message, suppressed: [], route, check };
    }
    const screened = await this.screen(message, claim);
    return 'kind' in screened ? screened : { ...screened, route };
  }

  /**
   * A notification accepted at a fallback step because its own recipients are suppressed:
   * counted as a fallback (reason `suppressed`). Its step's job and timer were queued with it.
   */
  private async begunAtFallback(
    input: Route & { id: string; message: NotificationMessage },
  ): Promise<void> {
    if (!input.skipFirstStep || !input.fallback) return;
    const step = firstStepOf(input);
    await this.fallbackSteps.begunAtIntake(input.id, {
      fromChannel: input.message.channel,
      toChannel: input.fallback[step - 1]!.channel,
      step,
      more: nextOpenStep(input, step + 1) <= input.fallback.length,
      ...(input.fallbackAfterSeconds === undefined
        ? {}
        : { fallbackAfterMs: input.fallbackAfterSeconds * 1000 }),
      reason: 'suppressed',
    });
  }

  /**
   * Screens `message` against the suppression list (see SuppressionScreen). Runs before the
   * acceptance's one transaction, since what that writes is final. A refusal must not break
   * idempotency: a key that was completed before its recipient was suppressed still replays, so
   * on a refusal the key is claimed to find out what it holds; one that nobody had accepted (new,
   * or this job's own unfinished claim) is freed again and the refusal thrown.
   */
  private async screen<M extends NotificationMessage>(
    message: M,
    claim: IdempotencyClaim | undefined,
  ): Promise<ScreenedMessage<M> | Exclude<IdempotencyOutcome, { kind: 'new' }>> {
    try {
      return await this.suppression.screen(message);
    } catch (err) {
      if (claim === undefined || !(err instanceof HeraldError)) throw err;
      if (err.code !== 'recipient_suppressed') throw err;
      const found = await this.idempotency.begin(claim);
      if (found.kind === 'new' || (found.kind === 'owned' && !found.completed)) {
        await this.idempotency.release(claim);
        throw err;
      }
      return found;
    }
  }

  /** Throws `validation_failed` naming `sendAt` when it is outside its window (see sendAtProblems). */
  private assertSendAt(sendAt: string | undefined, submittedAtMs: number): void {
    const errors = sendAtProblems(
      sendAt,
      submittedAtMs,
      this.config.limits.maxScheduleAheadSeconds,
    );
    if (errors.length > 0) {
      throw new HeraldError('validation_failed', 'Invalid field: sendAt.', { errors });
    }
  }

  /** Channel checks the schema cannot know: configured providers and the default sender. */
  private admit<M extends NotificationMessage>(message: M): M {
    const order = this.config.order[message.channel];
    if (order.length === 0) {
      throw new HeraldError(
        'channel_not_configured',
        `No ${message.channel} provider is configured on this Herald.`,
      );
    }
    const errors: { field: string; message: string }[] = [];
    const unknown = (message.providers ?? []).filter(
      (p) => !(order as readonly string[]).includes(p),
    );
    if (unknown.length > 0) {
      errors.push({
        field: 'providers',
        message: `${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not configured; configured: ${order.join(', ')}`,
      });
    }
    if (message.channel === 'email' && !message.from && !this.config.email.defaultFrom) {
      errors.push({ field: 'from', message: 'is required: no default sender is configured' });
    }
    if (errors.length > 0) {
      throw new HeraldError(
        'validation_failed',
        `Invalid field${errors.length > 1 ? 's' : ''}: ${errors.map((e) => e.field).join(', ')}.`,
        { errors },
      );
    }
    return message;
  }

  /**
   * Writes the record and queues its delivery, with the idempotency claim and its completion
   * when keyed, in one transaction (see NotificationAcceptanceStore): answers `new` when all of
   * it landed, else what the claim found. On failure the store takes all of it back. Its
   * recipients were screened before (see {@link acceptRequest}): the transaction checks none.
   */
  private async write(
    input: NewNotification & { createdAt: string },
    claim?: IdempotencyClaim,
    answer?: string,
  ): Promise<IdempotencyOutcome> {
    const found = await this.store.accept(this.transaction(input, claim, answer));
    if (found.kind === 'suppressed') {
      throw new Error('an acceptance without a suppression check was refused as suppressed');
    }
    return found;
  }

  /**
   * What the store writes for `input`: its record row and job (or, with `carriedBy`, the job
   * that already carries it), with the claim and the answer it keeps when keyed, and the first
   * step's `fallbackAfterSeconds` timer when it has one.
   */
  private transaction(
    input: NewNotification,
    claim?: IdempotencyClaim,
    answer?: string,
    carriedBy?: string,
    suppression?: SuppressionCheck,
  ): AcceptanceWrite {
    // The check's fields are the message's recipients, hashed by its screening: not again.
    const row = this.records.newRow(input, suppression?.fields);
    const timer = firstStepTimer(input);
    const write: Mutable<AcceptanceWrite> = { id: input.id, row, delayMs: dueInMs(input.sendAt) };
    if (input.skipFirstStep) write.step = firstStepOf(input);
    if (timer) write.timer = timer;
    if (carriedBy !== undefined) write.carriedBy = carriedBy;
    if (suppression !== undefined) write.suppression = suppression;
    if (claim !== undefined) {
      write.claim = {
        entryKey: this.idempotency.entryKey(claim.scope, claim.key, claim.shard),
        fingerprint: claim.fingerprint,
        owner: claim.owner,
        answer: answer ?? '',
        ttlSeconds: this.config.idempotency.ttlSeconds + scheduleDelaySeconds(input.sendAt),
      };
    }
    return write;
  }

  /**
   * Queues a `deliver` job for an accepted notification on its shard's queue (also a re-drive's,
   * under a fresh job id, for the fallback step it is at).
   */
  async enqueue(notificationId: string, jobId: string, delayMs = 0, step = 0): Promise<void> {
    const data: DeliverJobData = step === 0 ? { notificationId } : { notificationId, step };
    await withDeadline(
      this.queues.forId(notificationId).add(DELIVER_JOB, data, {
        jobId,
        ...(delayMs > 0 ? { delay: delayMs } : {}),
        ...DELIVER_JOB_RETENTION,
      }),
      QUEUE_WRITE_DEADLINE_MS,
    );
  }

  /**
   * After a cancel: takes the notification's waiting job off the queue, so it does not sit there
   * until its time. Best effort: a job that still runs finds the record `cancelled` and completes
   * without sending. A producer's own `send` job is not removed (its `waitUntilFinished` would
   * never resolve) but, if delayed, promoted to run now and complete as cancelled.
   */
  withdraw(notificationId: string, sourceJob: string | undefined): void {
    const queue = this.queues.forId(notificationId);
    this.bestEffort("withdraw a cancelled notification's job", async () => {
      if (sourceJob === undefined) return queue.remove(notificationId);
      const job = await queue.getJob(sourceJob);
      if (job && (await job.isDelayed())) await job.promote();
    });
  }

  private async completeOrLog(
    claim: IdempotencyClaim,
    answer: string,
    sendAt?: string,
  ): Promise<void> {
    // The notification is accepted and queued by now: failing the request here would make the
    // caller retry and send twice, so a claim that cannot be completed is logged, not thrown.
    try {
      if (!(await this.idempotency.complete(claim, answer, scheduleDelaySeconds(sendAt)))) {
        this.logger.warn(
          { notificationId: claim.id },
          'idempotency claim expired before acceptance finished; another request took the key',
        );
      }
    } catch (err) {
      this.logger.warn(
        { notificationId: claim.id, err: { message: (err as Error).message } },
        'could not complete the idempotency claim; it expires by itself',
      );
    }
  }

  private bestEffort(what: string, work: () => Promise<unknown>): void {
    work().catch((err: unknown) =>
      this.logger.warn(
        { err: { message: (err as Error).message } },
        `could not ${what} (Redis unreachable?); retention will remove it`,
      ),
    );
  }
}

/** A batch item: its message, and its `idempotencyKey` (checked as the header is). */
function splitBatchItem(item: unknown): { message: unknown; key?: string } {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return { message: item };
  const { idempotencyKey, ...message } = item as Record<string, unknown>;
  if (idempotencyKey === undefined) return { message };
  if (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
    throw new HeraldError('invalid_idempotency_key', 'idempotencyKey is invalid.', {
      errors: [{ field: 'idempotencyKey', message: 'must be 1–255 printable ASCII characters' }],
    });
  }
  return { message, key: idempotencyKey };
}

/** A step's screening: its cleared message, or undefined when its recipients are suppressed. */
function unlessSuppressed(err: unknown): undefined {
  if (err instanceof HeraldError && err.code === 'recipient_suppressed') return undefined;
  throw err;
}

/** Milliseconds until a notification is due: now, or its `sendAt`. */
function dueInMs(sendAt: string | undefined): number {
  return sendAt === undefined ? 0 : Math.max(0, Date.parse(sendAt) - Date.now());
}

/**
 * The `fallbackAfterSeconds` timer of the step a new notification starts at (0, or 1 when its
 * own step is skipped), due that long after the notification is; none without fallback steps,
 * without `fallbackAfterSeconds`, or when the first step is the last.
 */
function firstStepTimer(
  input: Pick<NewNotification, 'sendAt' | 'fallbackAfterSeconds'> & Route,
): { step: number; delayMs: number } | undefined {
  const step = firstStepOf(input);
  const steps = input.fallback?.length ?? 0;
  // None when no step the route would not pass over follows this one.
  if (input.fallbackAfterSeconds === undefined || nextOpenStep(input, step + 1) > steps) {
    return undefined;
  }
  return { step, delayMs: dueInMs(input.sendAt) + input.fallbackAfterSeconds * 1000 };
}

/** An intake error of fallback step `index`, its fields named after the step. */
function inStep(err: HeraldError, index: number): HeraldError {
  const at = `fallback.${index}`;
  const errors = err.extra.errors?.map((e) => ({ field: `${at}.${e.field}`, message: e.message }));
  return new HeraldError(err.code, `${at}: ${err.message}`, {
    ...err.extra,
    errors: errors ?? [{ field: `${at}.${fieldOf(err)}`, message: err.message }],
  });
}

/** The field an intake error without field problems is about. */
function fieldOf(err: HeraldError): string {
  if (err.code === 'channel_not_configured') return 'channel';
  return err.code.startsWith('template_') ? 'template' : 'to';
}

/** `T` with its fields writable: for an object built field by field before it is handed on. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The answer an idempotency entry keeps to replay, without the id it holds anyway:
 * `status|channel|createdAt[|sendAt]`, `createdAt` in epoch ms when that reads back as the same
 * text. Short, so the entry stays a compact hash in Redis (a value over 64 bytes turns every
 * field of it into a separate allocation, and every byte counts towards the allocation's size).
 * `createdAtMs`: the epoch ms `createdAt` was written from (`toISOString`), so it reads back as
 * the same text without parsing and writing it again to check.
 */
function storedAnswer(answer: AcceptedNotification, createdAtMs: number): string {
  // Rare, so kept whole rather than packed: the answer that left addresses out.
  if (answer.suppressed !== undefined) return JSON.stringify(answer);
  const packed = `${answer.status}|${answer.channel}|${createdAtMs}`;
  return answer.sendAt === undefined ? packed : `${packed}|${answer.sendAt}`;
}

/** The answer {@link storedAnswer} kept (or what an earlier Herald kept) for notification `id`. */
function replayedAnswer(stored: string, id: string): AcceptedNotification {
  if (stored.startsWith('{')) return JSON.parse(stored) as AcceptedNotification;
  const [status, channel, createdAt, sendAt] = stored.split('|');
  return {
    id,
    status: status as AcceptedNotification['status'],
    channel: channel as ChannelKind,
    createdAt: /^\d+$/.test(createdAt!) ? new Date(Number(createdAt)).toISOString() : createdAt!,
    ...(sendAt === undefined ? {} : { sendAt }),
  };
}

/** The answer to a keyed request whose key was already taken: a replay, or why not. */
function requestReplay(found: Exclude<IdempotencyOutcome, { kind: 'new' }>): RequestAcceptance {
  switch (found.kind) {
    case 'completed':
      return { answer: replayedAnswer(found.answer, found.id), replayed: true };
    case 'reused':
      throw reusedKey();
    case 'in_flight':
    case 'owned':
      throw new HeraldError(
        'idempotency_key_in_flight',
        'A request with this Idempotency-Key is still being accepted; retry shortly.',
        { retryAfterSeconds: 1 },
      );
  }
}

function reusedKey(): HeraldError {
  return new HeraldError(
    'idempotency_key_reused',
    'This Idempotency-Key was already used with another body.',
  );
}
