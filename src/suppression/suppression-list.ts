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
  constructor(
    private readonly redis: RedisService,
    private readonly metrics: MetricsService,
  ) {}

  /** The Redis key of `channel`'s list. */
  key(channel: ChannelKind): string {
    return this.redis.key('supp', channel);
  }

  /**
   * For each of `recipients`, whether it is suppressed on `channel`: one HMGET, whatever the
   * number of recipients.
   */
  async suppressed(channel: ChannelKind, recipients: readonly string[]): Promise<boolean[]> {
    if (recipients.length === 0) return [];
    const fields = recipients.map((r) => recipientField(channel, r));
    // Sent on its own, not auto-pipelined: ioredis runs one auto-pipeline at a time, so while
    // Redis hangs this check would wait out the pipeline before it (its full command timeout)
    // and then its own, doubling the time an intake request takes to answer 503.
    const found = (await this.redis.client.sendCommand(
      new Command('hmget', [this.key(channel), ...fields], { replyEncoding: 'utf8' }),
    )) as (string | null)[];
    return found.map((value) => value !== null);
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
