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
} from './notification-record';

/**
 * Starts a delivery round unless the notification is already delivered, in one step so two
 * workers (a stalled job picked up again) cannot both pass the check.
 * Returns {status before, rounds after, message} or nil when the record is gone; the message
 * comes along so a round needs no second read.
 */
const START_ROUND = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return nil end
if status == 'delivered' then
  return {status, tonumber(redis.call('HGET', KEYS[1], 'rounds') or '0')}
end
local rounds = redis.call('HINCRBY', KEYS[1], 'rounds', 1)
redis.call('HSET', KEYS[1], 'status', 'sending', 'updatedAt', ARGV[1])
redis.call('HDEL', KEYS[1], 'nextAttemptAt')
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return {status, rounds, redis.call('HGET', KEYS[1], 'message')}
`;

/** Moves a failed notification back to queued with a fresh round budget; 1 done, 0 not failed, -1 gone. */
const REQUEUE_FAILED = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return -1 end
if status ~= 'failed' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'queued', 'rounds', 0, 'updatedAt', ARGV[1])
redis.call('HDEL', KEYS[1], 'failure', 'failedAt')
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
`;

interface ScriptedRedis {
  heraldStartRound(
    key: string,
    attemptsKey: string,
    now: string,
    ttl: number,
  ): Promise<[string, number, string | null] | null>;
  heraldRequeueFailed(key: string, attemptsKey: string, now: string, ttl: number): Promise<number>;
}

/** What the records store when a notification is accepted. */
export interface NewNotification {
  readonly id: string;
  readonly caller: string;
  readonly message: NotificationMessage;
  /** ISO 8601; defaults to now. */
  readonly createdAt?: string;
}

/**
 * Notification records in Redis: a hash per notification (fields and the message to send)
 * and a list of its attempts. Every write refreshes the retention (`HERALD_RECORD_TTL_SECONDS`).
 * The message is kept so a failed notification can be re-driven; it is never returned by the API.
 */
@Injectable()
export class NotificationRecordsRepository {
  private readonly scripts: ScriptedRedis;

  constructor(
    private readonly redis: RedisService,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {
    redis.client.defineCommand('heraldStartRound', { numberOfKeys: 2, lua: START_ROUND });
    redis.client.defineCommand('heraldRequeueFailed', { numberOfKeys: 2, lua: REQUEUE_FAILED });
    this.scripts = redis.client as unknown as ScriptedRedis;
  }

  private get ttl(): number {
    return this.config.records.ttlSeconds;
  }

  private keys(id: string): [string, string] {
    const key = this.redis.key('ntf', id);
    return [key, `${key}:attempts`];
  }

  async create(input: NewNotification): Promise<NotificationRecord> {
    const now = input.createdAt ?? new Date().toISOString();
    const [key] = this.keys(input.id);
    const fields: Record<string, string> = {
      id: input.id,
      caller: input.caller,
      channel: input.message.channel,
      to: maskRecipient(input.message),
      status: 'queued',
      rounds: '0',
      createdAt: now,
      updatedAt: now,
      message: JSON.stringify(input.message),
      ...(input.message.metadata ? { metadata: JSON.stringify(input.message.metadata) } : {}),
    };
    await this.redis.client
      .multi()
      .hset(key, fields)
      .expire(key, this.ttl)
      .exec()
      .then(throwOnError);
    return toRecord(fields, []);
  }

  async get(id: string): Promise<NotificationRecord | undefined> {
    const [key, attemptsKey] = this.keys(id);
    const result = await this.redis.client
      .multi()
      .hgetall(key)
      .lrange(attemptsKey, 0, -1)
      .exec()
      .then(throwOnError);
    const fields = result[0] as Record<string, string>;
    if (!fields || !fields.id) return undefined;
    return toRecord(
      fields,
      (result[1] as string[]).map((a) => JSON.parse(a) as DeliveryAttempt),
    );
  }

  async getMessage(id: string): Promise<NotificationMessage | undefined> {
    const raw = await this.redis.client.hget(this.keys(id)[0], 'message');
    return raw ? (JSON.parse(raw) as NotificationMessage) : undefined;
  }

  /**
   * Starts a delivery round: `sending`, rounds + 1. Returns the status it had, the round
   * number and the message to send, or `undefined` when the record is gone. A `delivered`
   * notification is left as it is (status `delivered` returned, no message), so a job that
   * runs again never sends twice.
   */
  async startRound(
    id: string,
  ): Promise<
    { previous: NotificationStatus; round: number; message?: NotificationMessage } | undefined
  > {
    const [key, attemptsKey] = this.keys(id);
    const result = await this.scripts.heraldStartRound(
      key,
      attemptsKey,
      new Date().toISOString(),
      this.ttl,
    );
    if (!result) return undefined;
    const [previous, round, message] = result;
    return {
      previous: previous as NotificationStatus,
      round: Number(round),
      ...(message ? { message: JSON.parse(message) as NotificationMessage } : {}),
    };
  }

  async appendAttempt(id: string, attempt: DeliveryAttempt): Promise<void> {
    const [key, attemptsKey] = this.keys(id);
    await this.redis.client
      .multi()
      .rpush(attemptsKey, JSON.stringify(attempt))
      .expire(attemptsKey, this.ttl)
      .hset(key, 'updatedAt', attempt.at)
      .exec()
      .then(throwOnError);
  }

  /**
   * Marks the notification delivered and appends the attempt that delivered it, in one
   * transaction: a reader never sees `delivered` without the attempt, nor the reverse.
   */
  async markDelivered(
    id: string,
    provider: ProviderName,
    providerMessageId: string,
    attempt: DeliveryAttempt,
  ): Promise<void> {
    const [key, attemptsKey] = this.keys(id);
    const now = new Date().toISOString();
    await this.redis.client
      .multi()
      .hset(key, {
        status: 'delivered',
        provider,
        providerMessageId,
        deliveredAt: now,
        updatedAt: now,
      })
      .expire(key, this.ttl)
      .rpush(attemptsKey, JSON.stringify(attempt))
      .expire(attemptsKey, this.ttl)
      .exec()
      .then(throwOnError);
  }

  /** Back to `queued` between rounds; `nextAttemptAt` (ISO) tells an operator when the next round starts. */
  async markWaiting(id: string, nextAttemptAt: string): Promise<void> {
    await this.update(id, { status: 'queued', nextAttemptAt, updatedAt: new Date().toISOString() });
  }

  async markFailed(id: string, failure: NotificationFailure): Promise<void> {
    const now = new Date().toISOString();
    await this.update(id, {
      status: 'failed',
      failure: JSON.stringify(failure),
      failedAt: now,
      updatedAt: now,
    });
  }

  /** Re-drives a failed notification: `queued` with a fresh round budget. */
  async requeueFailed(id: string): Promise<'requeued' | 'not_failed' | 'not_found'> {
    const [key, attemptsKey] = this.keys(id);
    const result = await this.scripts.heraldRequeueFailed(
      key,
      attemptsKey,
      new Date().toISOString(),
      this.ttl,
    );
    return result === 1 ? 'requeued' : result === 0 ? 'not_failed' : 'not_found';
  }

  /** Deletes a record; used to undo an acceptance that could not be queued. */
  async remove(id: string): Promise<void> {
    await this.redis.client.del(...this.keys(id));
  }

  private async update(id: string, fields: Record<string, string>): Promise<void> {
    const [key] = this.keys(id);
    await this.redis.client
      .multi()
      .hset(key, fields)
      .expire(key, this.ttl)
      .exec()
      .then(throwOnError);
  }
}

type ExecResult = [error: Error | null, result: unknown][] | null;

function throwOnError(results: ExecResult): unknown[] {
  if (!results) throw new Error('Redis transaction aborted');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

function toRecord(f: Record<string, string>, attempts: DeliveryAttempt[]): NotificationRecord {
  return {
    id: f.id!,
    caller: f.caller!,
    channel: f.channel as ChannelKind,
    to: f.to!,
    status: f.status as NotificationStatus,
    ...(f.provider ? { provider: f.provider as ProviderName } : {}),
    ...(f.providerMessageId ? { providerMessageId: f.providerMessageId } : {}),
    attempts,
    rounds: Number(f.rounds ?? 0),
    ...(f.metadata ? { metadata: JSON.parse(f.metadata) as Record<string, string> } : {}),
    ...(f.failure ? { failure: JSON.parse(f.failure) as NotificationFailure } : {}),
    createdAt: f.createdAt!,
    updatedAt: f.updatedAt!,
    ...(f.deliveredAt ? { deliveredAt: f.deliveredAt } : {}),
    ...(f.failedAt ? { failedAt: f.failedAt } : {}),
    ...(f.nextAttemptAt ? { nextAttemptAt: f.nextAttemptAt } : {}),
  };
}
