import { Inject, Injectable } from '@nestjs/common';
import type { ChannelKind, ProviderName } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { RedisService } from '../redis/redis.service';
import { maskRecipient } from './mask-recipient';
import type { NotificationMessage } from './notification-message.schema';
import type {
  DeliveryAttempt,
  NotificationFailure,
  NotificationRecord,
  NotificationStatus,
  ProviderEvent,
  RedriveMarker,
  RouteStep,
} from '../contracts/notification-record';
import { IndexExpiries, indexesOfNewRecord } from './record-index';
import { recordKeys } from './record-keys';
import { readSentCall, SENT_CALL_FIELD } from './sent-call';
import { RECIPIENTS_FIELD, readRecipients, recipientsField } from './recipient-states';

/** What the records store when a notification is accepted. */
export interface NewNotification {
  readonly id: string;
  readonly caller: string;
  readonly message: NotificationMessage;
  /** ISO 8601; defaults to now. */
  readonly createdAt?: string;
  /** The producer's `send` job that created it, if one did. */
  readonly job?: string;
  /** ISO 8601: send no earlier than this; the notification is `scheduled` until then. */
  readonly sendAt?: string;
  /** The messages to try in turn after this one (rendered), each a step of the route. */
  readonly fallback?: readonly NotificationMessage[];
  /** Seconds each step but the last has to be `sent` before the next supersedes it. */
  readonly fallbackAfterSeconds?: number;
  /**
   * The message's own step never goes out (its recipients are suppressed): the route starts at
   * step 1, step 0 ended `suppressed`.
   */
  readonly skipFirstStep?: boolean;
  /**
   * Fallback steps (numbered from 1) whose recipients are suppressed: never sent, the route
   * passes over them with reason `suppressed`.
   */
  readonly suppressedSteps?: readonly number[];
  /** E-mail addresses intake left out as suppressed, masked. */
  readonly suppressed?: readonly string[];
}

/** See {@link NotificationRecordsRepository.newRow}. */
export interface NewRecordRow {
  readonly key: string;
  readonly fields: Record<string, string>;
  /** Seconds. */
  readonly ttl: number;
  /** Creation time, epoch ms: the record's score in its indexes. */
  readonly score: number;
  readonly indexes: string[];
  /** Epoch seconds to give the indexes as their expiry, or 0 when they already outlive the record. */
  readonly indexExpiry: number;
}

/**
 * Notification records in Redis: a hash per notification (fields and the message to send)
 * and a list of its attempts. Every write refreshes the retention (`HERALD_RECORD_TTL_SECONDS`).
 * The message is kept until a provider accepts it (so a failed notification can be re-driven);
 * it is never returned by the API.
 */
@Injectable()
export class NotificationRecordsRepository {
  private readonly indexExpiries = new IndexExpiries();

  constructor(
    private readonly redis: RedisService,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  private get ttl(): number {
    return this.config.records.ttlSeconds;
  }

  private keys(id: string): [string, string, string] {
    const { record, attempts, events } = recordKeys(this.redis, id);
    return [record, attempts, events];
  }

  async create(input: NewNotification): Promise<NotificationRecord> {
    const row = this.newRow(input);
    const tx = this.redis.client.multi().hset(row.key, row.fields).expire(row.key, row.ttl);
    for (const index of row.indexes) {
      tx.zadd(index, row.score, input.id);
      // An index outlives every record in it: set when new, else only lengthened.
      if (row.indexExpiry > 0) {
        tx.expireat(index, row.indexExpiry, 'NX').expireat(index, row.indexExpiry, 'GT');
      }
    }
    await tx.exec().then(throwOnError);
    return toRecord(row.fields, []);
  }

  /**
   * What creating `input` writes: the record hash's key and fields, its retention (s), the
   * indexes it joins and its score in them. {@link create} writes it; the REST acceptance
   * writes the same row inside its one transaction (notification-acceptance.store.ts).
   * `recipientFields`: the message's recipients' suppression fields (to, cc, bcc in order) when
   * its screening computed them, so they are not hashed again (see recipientsField).
   */
  newRow(input: NewNotification, recipientFields?: readonly string[]): NewRecordRow {
    const now = input.createdAt ?? new Date().toISOString();
    const key = recordKeys(this.redis, input.id).record;
    const createdAtMs = Date.parse(now);
    // Optional fields assigned one by one, in the order the hash has always had them, rather
    // than spread from an object made for each: every acceptance builds one of these.
    const fields: Record<string, string> = {
      id: input.id,
      caller: input.caller,
      channel: input.message.channel,
      to: maskRecipient(input.message),
      status: input.sendAt === undefined ? 'queued' : 'scheduled',
      rounds: '0',
      createdAt: now,
      createdAtMs: String(createdAtMs),
      updatedAt: now,
      message: JSON.stringify(input.message),
    };
    if (input.message.metadata) fields.metadata = JSON.stringify(input.message.metadata);
    if (input.job !== undefined) fields.job = input.job;
    if (input.suppressed?.length) fields.suppressed = JSON.stringify(input.suppressed);
    if (input.sendAt !== undefined) {
      fields.sendAt = input.sendAt;
      fields.sendAtMs = String(Date.parse(input.sendAt));
    }
    if (input.fallback && input.fallback.length > 0) Object.assign(fields, routeFields(input, now));
    const recipients = recipientsField(input.message, recipientFields);
    if (recipients !== undefined) fields[RECIPIENTS_FIELD] = recipients;
    const indexed = {
      id: input.id,
      caller: input.caller,
      status: fields.status!,
      channel: fields.channel!,
    };
    const ttl = this.ttl + scheduleDelaySeconds(input.sendAt);
    const indexes = indexesOfNewRecord(this.redis, indexed);
    const expiry = this.indexExpiries.plan(indexes, ttl);
    fields.ixUntil = String(expiry.until);
    return {
      key,
      fields,
      ttl,
      score: createdAtMs,
      indexes,
      indexExpiry: expiry.set,
    };
  }

  async get(id: string): Promise<NotificationRecord | undefined> {
    const [key, attemptsKey, eventsKey] = this.keys(id);
    const result = await this.redis.client
      .multi()
      .hgetall(key)
      .lrange(attemptsKey, 0, -1)
      .lrange(eventsKey, 0, -1)
      .exec()
      .then(throwOnError);
    const fields = result[0] as Record<string, string>;
    if (!fields || !fields.id) return undefined;
    const entries = (result[1] as string[]).map((a) => readEntry(JSON.parse(a) as HistoryEntry));
    const sent = fields[SENT_CALL_FIELD] && readSentCall(fields[SENT_CALL_FIELD], fields);
    if (sent) entries.push(sent);
    const events = (result[2] as string[]).map((e) => JSON.parse(e) as ProviderEvent);
    return toRecord(
      fields,
      entries.filter((e): e is DeliveryAttempt => !('redrive' in e)),
      entries.filter((e): e is RedriveMarker & { redrive: true } => 'redrive' in e),
      events,
    );
  }

  /** The `send` job that created the notification, if a producer's job did. */
  async sourceJob(id: string): Promise<string | undefined> {
    return (await this.redis.client.hget(this.keys(id)[0], 'job')) ?? undefined;
  }

  async getMessage(id: string): Promise<NotificationMessage | undefined> {
    const raw = await this.redis.client.hget(this.keys(id)[0], 'message');
    return raw ? (JSON.parse(raw) as NotificationMessage) : undefined;
  }

  /** Deletes a record; used to undo an acceptance that could not be queued. */
  async remove(id: string): Promise<void> {
    await this.redis.client.del(...this.keys(id));
  }
}

/**
 * Seconds until `sendAt` (0 when not scheduled). A scheduled record and its idempotency key are
 * kept this much longer than the retention, which already outlives a message's whole retry
 * schedule (checked at start-up), so both cover the send time plus every round after it.
 */
export function scheduleDelaySeconds(sendAt: string | undefined, now = Date.now()): number {
  return sendAt === undefined ? 0 : Math.max(0, Math.ceil((Date.parse(sendAt) - now) / 1000));
}

/**
 * The step a new notification starts at: 0, or, when its own step is skipped, the first
 * fallback step whose recipients are not suppressed (past the last one when none is left).
 */
export function firstStepOf(
  input: Pick<NewNotification, 'fallback' | 'skipFirstStep' | 'suppressedSteps'>,
): number {
  return input.skipFirstStep ? nextOpenStep(input, 1) : 0;
}

/** The first fallback step from `from` on whose recipients are not suppressed (may be past the last). */
export function nextOpenStep(
  input: Pick<NewNotification, 'fallback' | 'suppressedSteps'>,
  from: number,
): number {
  let step = from;
  while (input.suppressedSteps?.includes(step)) step++;
  return step;
}

/**
 * The record fields of a notification with fallback steps (none without): its step, the later
 * steps' messages, the route so far and the step deadline (see notification-lifecycle.scripts).
 * A step whose recipients are suppressed keeps no message, only its mark; when the message's
 * own step is skipped, the route starts at the first step left, the skipped ones ended
 * `suppressed`.
 */
function routeFields(input: NewNotification, now: string): Record<string, string> {
  if (!input.fallback || input.fallback.length === 0) return {};
  const startedAt = input.sendAt ?? now;
  const first: RouteStep = {
    step: 0,
    channel: input.message.channel,
    to: maskRecipient(input.message),
    status: 'queued',
    startedAt,
  };
  const steps = input.fallback.map(
    (message, i): { channel: string; to: string; message?: string; suppressed?: true } => ({
      channel: message.channel,
      to: maskRecipient(message),
      ...(input.suppressedSteps?.includes(i + 1)
        ? { suppressed: true }
        : { message: JSON.stringify(message) }),
    }),
  );
  const after: Record<string, string> =
    input.fallbackAfterSeconds === undefined
      ? {}
      : { fallbackAfterMs: String(input.fallbackAfterSeconds * 1000) };
  const start = firstStepOf(input);
  const current = steps[start - 1];
  if (start === 0 || !current?.message) {
    return { step: '0', fallback: JSON.stringify(steps), route: JSON.stringify([first]), ...after };
  }
  const skipped = steps.slice(0, start - 1).map((s, i) => ({
    step: i + 1,
    channel: s.channel,
    to: s.to,
    status: 'suppressed',
    reason: 'suppressed',
    startedAt,
    endedAt: now,
  }));
  return {
    step: String(start),
    fallback: JSON.stringify(steps),
    route: JSON.stringify([
      { ...first, status: 'suppressed', reason: 'suppressed', endedAt: now },
      ...skipped,
      { step: start, channel: current.channel, to: current.to, startedAt },
    ]),
    message: current.message,
    ...after,
  };
}

type ExecResult = [error: Error | null, result: unknown][] | null;

function throwOnError(results: ExecResult): unknown[] {
  if (!results) throw new Error('Redis transaction aborted');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

/** The attempts list also holds re-drive markers, in order. */
type HistoryEntry = DeliveryAttempt | (RedriveMarker & { readonly redrive: true });

/** An accepted call was written as outcome `delivered` before `sent` existed: it reads as `sent`. */
function readEntry(entry: HistoryEntry): HistoryEntry {
  return 'outcome' in entry && (entry.outcome as string) === 'delivered'
    ? { ...entry, outcome: 'sent' }
    : entry;
}

/** A record as a list shows it: without its attempts (read one record for those). */
export type NotificationSummary = Omit<NotificationRecord, 'attempts' | 'redrives'>;

/** A record hash (HGETALL) as its summary; undefined when the record is gone. */
export function toSummary(f: Record<string, string>): NotificationSummary | undefined {
  if (!f.id) return undefined;
  const { attempts: _attempts, ...summary } = toRecord(f, []);
  return summary;
}

function toRecord(
  f: Record<string, string>,
  attempts: DeliveryAttempt[],
  redrives: (RedriveMarker & { redrive: true })[] = [],
  events: ProviderEvent[] = [],
): NotificationRecord {
  return {
    id: f.id!,
    caller: f.caller!,
    channel: f.channel as ChannelKind,
    to: f.to!,
    status: f.status as NotificationStatus,
    ...(f.provider ? { provider: f.provider as ProviderName } : {}),
    ...(f.providerMessageId ? { providerMessageId: f.providerMessageId } : {}),
    attempts,
    ...(events.length > 0 ? { events } : {}),
    rounds: Number(f.rounds ?? 0),
    ...(redrives.length > 0
      ? { redrives: redrives.map(({ at, afterRound }) => ({ at, afterRound })) }
      : {}),
    ...(f.metadata ? { metadata: JSON.parse(f.metadata) as Record<string, string> } : {}),
    ...(f.suppressed ? { suppressed: JSON.parse(f.suppressed) as string[] } : {}),
    ...(f[RECIPIENTS_FIELD] && f.sentAt
      ? { recipients: readRecipients(f[RECIPIENTS_FIELD], f.sentAt) }
      : {}),
    ...(f.failure ? { failure: JSON.parse(f.failure) as NotificationFailure } : {}),
    createdAt: f.createdAt!,
    updatedAt: f.updatedAt!,
    ...(f.sentAt ? { sentAt: f.sentAt } : {}),
    ...(f.deliveredAt ? { deliveredAt: f.deliveredAt } : {}),
    ...(f.failedAt ? { failedAt: f.failedAt } : {}),
    ...(f.cancelledAt ? { cancelledAt: f.cancelledAt } : {}),
    ...(f.sendAt ? { sendAt: f.sendAt } : {}),
    ...(f.nextAttemptAt ? { nextAttemptAt: f.nextAttemptAt } : {}),
    ...(f.route ? routeOf(f) : {}),
  };
}

/** The step and the route; the current step's status and outcome are the record's own. */
function routeOf(f: Record<string, string>): Pick<NotificationRecord, 'step' | 'route'> {
  const step = Number(f.step ?? 0);
  const route = (JSON.parse(f.route!) as RouteStep[]).map((entry) =>
    entry.step === step
      ? {
          ...entry,
          status: f.status as NotificationStatus,
          ...(f.provider ? { provider: f.provider as ProviderName } : {}),
          ...(f.providerMessageId ? { providerMessageId: f.providerMessageId } : {}),
          ...(f.sentAt ? { sentAt: f.sentAt } : {}),
          ...(f.failure ? { failure: JSON.parse(f.failure) as NotificationFailure } : {}),
        }
      : entry,
  );
  return { step, route };
}
