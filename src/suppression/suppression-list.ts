import { Injectable } from '@nestjs/common';
import { Command } from 'ioredis';
import type { ChannelKind, ProviderName } from '../config/config.schema';
import { MetricsService } from '../metrics/metrics.service';
import { RedisService } from '../redis/redis.service';
import {
  type SuppressionEntry,
  type SuppressionReason,
  newEntry,
  recipientField,
} from './suppression-entry';

/** A suppression entry ready to be written by a script: its hash field and JSON value. */
export interface SuppressionWrite {
  /** The channel's list (a Redis hash key) on notification shard `shard`. */
  keyOn(shard: number): string;
  readonly fields: readonly { readonly field: string; readonly value: string }[];
  readonly reason: SuppressionReason;
  readonly channel: ChannelKind;
}

/** One channel's lookups of a turn: the fields to read, and who waits for which of them. */
interface PendingLookup {
  readonly fields: string[];
  readonly waiters: {
    /** The waiter's fields: `fields[start]` up to, not including, `fields[end]`. */
    readonly start: number;
    readonly end: number;
    /** The shard whose list the waiter does not need read (-1 for none). */
    readonly except: number;
    resolve(flags: boolean[]): void;
    reject(err: unknown): void;
  }[];
}

/**
 * The per-channel suppression lists in Redis: one hash per channel and notification shard
 * (`<shard prefix>:supp:<channel>`), field = the recipient's hash ({@link recipientField}),
 * value = its {@link SuppressionEntry} as JSON. Entries do not expire: a bounced address stays
 * bounced until an admin removes it. One hash per channel keeps a membership check to one HMGET
 * per shard however many recipients a message has.
 *
 * Per shard because a provider event's script adds its recipients to the list in the same step
 * as it records the event, so the list must share the notification's slot on a Redis Cluster:
 * a recipient is on the list when it is in any shard's hash. An admin's entry is written to
 * one shard (the recipient field's, see {@link homeShard}) and taken off the others.
 */
@Injectable()
export class SuppressionList {
  /** The lookups asked for in this turn of the event loop, by channel (see {@link suppressed}). */
  private pending = new Map<ChannelKind, PendingLookup>();

  constructor(
    private readonly redis: RedisService,
    private readonly metrics: MetricsService,
  ) {}

  /** The Redis key of `channel`'s list on notification shard `shard`. */
  key(channel: ChannelKind, shard = 0): string {
    return this.redis.shards.key(shard, 'supp', channel);
  }

  /**
   * For each of `recipients`, whether it is suppressed on `channel`. The lookups asked for in
   * one turn of the event loop (a batch's items, the requests that arrived together) are sent
   * as one HMGET per channel and shard at the end of that turn, each answered its own slice of
   * the replies (suppressed when any shard lists it): one command per shard where there were
   * one per message and shard.
   *
   * `except`: a shard whose list the caller checks itself (the acceptance's script reads its
   * notification's own shard's list in the transaction that writes it): that shard's list does
   * not count, and is not read for this lookup.
   */
  suppressed(channel: ChannelKind, recipients: readonly string[], except = -1): Promise<boolean[]> {
    if (recipients.length === 0) return Promise.resolve([]);
    // Nothing left to read (one shard, the caller's own): not one round trip.
    if (except >= 0 && this.redis.shards.count === 1) {
      return Promise.resolve(recipients.map(() => false));
    }
    return this.suppressedFields(
      channel,
      recipients.map((r) => recipientField(channel, r)),
      except,
    );
  }

  /**
   * {@link suppressed} for recipients already hashed (`fields`: their {@link recipientField}s),
   * for a caller that needs the fields itself.
   */
  suppressedFields(
    channel: ChannelKind,
    recipientFields: readonly string[],
    except = -1,
  ): Promise<boolean[]> {
    if (recipientFields.length === 0) return Promise.resolve([]);
    if (except >= 0 && this.redis.shards.count === 1) {
      return Promise.resolve(recipientFields.map(() => false));
    }
    let lookup = this.pending.get(channel);
    if (lookup === undefined) {
      lookup = { fields: [], waiters: [] };
      if (this.pending.size === 0) setImmediate(() => this.flush());
      this.pending.set(channel, lookup);
    }
    const { fields, waiters } = lookup;
    const start = fields.length;
    for (const field of recipientFields) fields.push(field);
    return new Promise((resolve, reject) =>
      waiters.push({ start, end: fields.length, except, resolve, reject }),
    );
  }

  /** Sends the lookups of this turn: one HMGET per channel and shard. */
  private flush(): void {
    const lookups = this.pending;
    this.pending = new Map();
    for (const [channel, { fields, waiters }] of lookups) {
      // Sent on its own, not auto-pipelined: ioredis runs one auto-pipeline at a time, so while
      // Redis hangs this check would wait out the pipeline before it (its full command timeout)
      // and then its own, doubling the time an intake request takes to answer 503.
      // A shard every waiter checks itself is not read (its replies stay empty).
      const read = this.redis.shards.all.map((shard) => waiters.some((w) => w.except !== shard));
      const sent = Promise.all(
        this.redis.shards.all.map((shard) =>
          !read[shard]
            ? Promise.resolve([] as (string | null)[])
            : (this.redis.client.sendCommand(
                new Command('hmget', [this.key(channel, shard), ...fields], {
                  replyEncoding: 'utf8',
                }),
              ) as Promise<(string | null)[]>),
        ),
      );
      sent.then(
        (found) => {
          for (const w of waiters) {
            const flags: boolean[] = [];
            for (let i = w.start; i < w.end; i++) {
              flags.push(
                found.some((values, shard) => shard !== w.except && (values[i] ?? null) !== null),
              );
            }
            w.resolve(flags);
          }
        },
        (err: unknown) => {
          for (const w of waiters) w.reject(err);
        },
      );
    }
  }

  /** The entry of `recipient` on `channel`, if it is suppressed. */
  async get(channel: ChannelKind, recipient: string): Promise<SuppressionEntry | undefined> {
    const field = recipientField(channel, recipient);
    const values = await Promise.all(
      this.redis.shards.all.map((shard) => this.redis.client.hget(this.key(channel, shard), field)),
    );
    // The home shard's entry first: an admin's word, which wins over an event's.
    const home = values[this.homeShard(field)];
    const value = home ?? values.find((v) => v !== null) ?? null;
    return value === null ? undefined : (JSON.parse(value) as SuppressionEntry);
  }

  /**
   * Puts `recipient` on the list with `reason`, replacing an entry it had (an admin's word is the
   * latest). `created` says whether it was not on the list before.
   */
  async put(
    channel: ChannelKind,
    recipient: string,
    reason: SuppressionReason,
    provider?: ProviderName,
  ): Promise<{ created: boolean; entry: SuppressionEntry }> {
    const entry = newEntry(channel, recipient, reason, provider);
    const field = recipientField(channel, recipient);
    const home = this.homeShard(field);
    const [written, ...others] = await Promise.all([
      this.redis.client.hset(this.key(channel, home), field, JSON.stringify(entry)),
      ...this.redis.shards.all
        .filter((shard) => shard !== home)
        .map((shard) => this.redis.client.hdel(this.key(channel, shard), field)),
    ]);
    const created = written === 1 && others.every((removed) => removed === 0);
    if (created) this.counted(channel, reason, 1);
    return { created, entry };
  }

  /**
   * Adds `recipient` unless it is on the list already (the first reason is kept): for what a
   * provider said, which may be said again. True when added now.
   */
  async addIfAbsent(
    channel: ChannelKind,
    recipient: string,
    reason: SuppressionReason,
    provider: ProviderName,
  ): Promise<boolean> {
    if (this.redis.shards.count > 1 && (await this.get(channel, recipient))) return false;
    const field = recipientField(channel, recipient);
    const added =
      (await this.redis.client.hsetnx(
        this.key(channel, this.homeShard(field)),
        field,
        JSON.stringify(newEntry(channel, recipient, reason, provider)),
      )) === 1;
    if (added) this.counted(channel, reason, 1);
    return added;
  }

  /** Takes `recipient` off the list (every shard's). True when it was on it. */
  async remove(channel: ChannelKind, recipient: string): Promise<boolean> {
    const field = recipientField(channel, recipient);
    const removed = await Promise.all(
      this.redis.shards.all.map((shard) => this.redis.client.hdel(this.key(channel, shard), field)),
    );
    return removed.some((n) => n === 1);
  }

  /**
   * What a provider event's script writes (add-if-absent) for `recipients`, so the event and the
   * suppression it causes are stored in one atomic step. {@link counted} once it ran.
   */
  writeFor(
    channel: ChannelKind,
    recipients: readonly string[],
    reason: SuppressionReason,
    provider: ProviderName,
    at?: string,
  ): SuppressionWrite {
    return {
      keyOn: (shard) => this.key(channel, shard),
      channel,
      reason,
      fields: recipients.map((r) => ({
        field: recipientField(channel, r),
        value: JSON.stringify(newEntry(channel, r, reason, provider, at)),
      })),
    };
  }

  /** Counts `added` new entries of `reason` on `channel`. */
  counted(channel: ChannelKind, reason: SuppressionReason, added: number): void {
    if (added > 0) this.metrics.suppressionsAdded.inc({ channel, reason }, added);
  }

  /** The shard an admin's entry for `field` is written to. */
  private homeShard(field: string): number {
    return this.redis.shards.ofKey(field);
  }
}
