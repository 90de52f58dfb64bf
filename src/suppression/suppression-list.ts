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
  /** The channel's list (a Redis hash key). */
  readonly key: string;
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
    resolve(flags: boolean[]): void;
    reject(err: unknown): void;
  }[];
}

/**
 * The per-channel suppression lists in Redis: one hash per channel (`<prefix>:supp:<channel>`),
 * field = the recipient's hash ({@link recipientField}), value = its {@link SuppressionEntry}
 * as JSON. Entries do not expire: a bounced address stays bounced until an admin removes it.
 * One hash per channel keeps a membership check to one HMGET however many recipients a message
 * has. On Redis Cluster each list is one slot; the key would take a hash tag
 * (`{supp:email}`) there, and the event script that writes both a record and a list would
 * have to write the list in a second step.
 */
@Injectable()
export class SuppressionList {
  /** The lookups asked for in this turn of the event loop, by channel (see {@link suppressed}). */
  private pending = new Map<ChannelKind, PendingLookup>();

  constructor(
    private readonly redis: RedisService,
    private readonly metrics: MetricsService,
  ) {}

  /** The Redis key of `channel`'s list. */
  key(channel: ChannelKind): string {
    return this.redis.key('supp', channel);
  }

  /**
   * For each of `recipients`, whether it is suppressed on `channel`. The lookups asked for in
   * one turn of the event loop (a batch's items, the requests that arrived together) are sent
   * as one HMGET per channel at the end of that turn, each answered its own slice of the reply:
   * one command and one write where there were one per message.
   */
  suppressed(channel: ChannelKind, recipients: readonly string[]): Promise<boolean[]> {
    if (recipients.length === 0) return Promise.resolve([]);
    let lookup = this.pending.get(channel);
    if (lookup === undefined) {
      lookup = { fields: [], waiters: [] };
      if (this.pending.size === 0) setImmediate(() => this.flush());
      this.pending.set(channel, lookup);
    }
    const { fields, waiters } = lookup;
    const start = fields.length;
    for (const recipient of recipients) fields.push(recipientField(channel, recipient));
    return new Promise((resolve, reject) =>
      waiters.push({ start, end: fields.length, resolve, reject }),
    );
  }

  /** Sends the lookups of this turn: one HMGET per channel. */
  private flush(): void {
    const lookups = this.pending;
    this.pending = new Map();
    for (const [channel, { fields, waiters }] of lookups) {
      // Sent on its own, not auto-pipelined: ioredis runs one auto-pipeline at a time, so while
      // Redis hangs this check would wait out the pipeline before it (its full command timeout)
      // and then its own, doubling the time an intake request takes to answer 503.
      const sent = this.redis.client.sendCommand(
        new Command('hmget', [this.key(channel), ...fields], { replyEncoding: 'utf8' }),
      ) as Promise<(string | null)[]>;
      sent.then(
        (found) => {
          for (const w of waiters) {
            const flags: boolean[] = [];
            for (let i = w.start; i < w.end; i++) flags.push(found[i] !== null);
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
    const value = await this.redis.client.hget(
      this.key(channel),
      recipientField(channel, recipient),
    );
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
    const created =
      (await this.redis.client.hset(
        this.key(channel),
        recipientField(channel, recipient),
        JSON.stringify(entry),
      )) === 1;
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
    const added =
      (await this.redis.client.hsetnx(
        this.key(channel),
        recipientField(channel, recipient),
        JSON.stringify(newEntry(channel, recipient, reason, provider)),
      )) === 1;
    if (added) this.counted(channel, reason, 1);
    return added;
  }

  /** Takes `recipient` off the list. True when it was on it. */
  async remove(channel: ChannelKind, recipient: string): Promise<boolean> {
    return (
      (await this.redis.client.hdel(this.key(channel), recipientField(channel, recipient))) === 1
    );
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
      key: this.key(channel),
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
}
