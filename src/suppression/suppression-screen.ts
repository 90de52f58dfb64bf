import { Injectable } from '@nestjs/common';
import type { ChannelKind } from '../config/config.schema';
import { HeraldError } from '../errors/herald-error';
import { MetricsService } from '../metrics/metrics.service';
import { maskAddress } from '../notifications/mask-recipient';
import type {
  EmailMessage,
  NotificationMessage,
} from '../notifications/notification-message.schema';
import { normaliseRecipient, recipientField } from './suppression-entry';
import { SuppressionList } from './suppression-list';

/** A message cleared for sending, and the masked addresses left out of it. */
export interface ScreenedMessage<M extends NotificationMessage> {
  readonly message: M;
  /** E-mail addresses dropped because they are suppressed, masked; empty when none. */
  readonly suppressed: readonly string[];
}

/**
 * The part of a screening an acceptance's own transaction does: whether any of the recipients
 * is on the list of the notification's shard, read in the step that writes the record (see
 * CLAIM_AND_WRITE), which refuses to write when one is.
 */
export interface SuppressionCheck {
  /** The channel's list (a hash) on the notification's shard: that shard's slot. */
  readonly key: string;
  /** The recipients' fields in it (see recipientField): an e-mail's to, cc, bcc in order. */
  readonly fields: readonly string[];
}

/**
 * Intake's suppression check: an SMS or chat message to a suppressed recipient is refused
 * (`recipient_suppressed`, naming `to`); an e-mail loses its suppressed addresses (to, cc,
 * bcc) and is refused only when no `to` address remains. One Redis round trip per message, its
 * lookup sharing one HMGET with the others of the same turn (SuppressionList.suppressed); none
 * of its own with {@link deferred}, which leaves the lookup to the acceptance's transaction.
 * Only intake checks: a recipient suppressed while its message waits for delivery still gets it.
 */
@Injectable()
export class SuppressionScreen {
  constructor(
    private readonly list: SuppressionList,
    private readonly metrics: MetricsService,
  ) {}

  async screen<M extends NotificationMessage>(message: M): Promise<ScreenedMessage<M>> {
    if (message.channel === 'email') {
      return (await this.screenEmail(message)) as unknown as ScreenedMessage<M>;
    }
    const [suppressed] = await this.list.suppressed(message.channel, [message.to]);
    if (suppressed) throw this.refused(message.channel, 'to', 'is on the suppression list');
    return { message, suppressed: [] };
  }

  /**
   * The screening of `message` for an acceptance on notification shard `shard`, split so that it
   * costs no round trip of its own: the other shards' lists are read now (none with one shard),
   * and the check of the shard's own list is left to the acceptance's transaction. Answers that
   * check, or undefined when another shard lists a recipient: then only {@link screen} can say
   * what is accepted. When the transaction finds a recipient listed, it writes nothing and the
   * caller screens (so a refusal, the addresses left out and the metrics are as screen's).
   */
  async deferred(
    message: NotificationMessage,
    shard: number,
  ): Promise<SuppressionCheck | undefined> {
    const recipients =
      message.channel === 'email'
        ? [...message.to, ...(message.cc ?? []), ...(message.bcc ?? [])]
        : [message.to];
    // Hashed once: the lookup, the transaction's check and the record's recipients use them.
    const fields = recipients.map((r) => recipientField(message.channel, r));
    const elsewhere = await this.list.suppressedFields(message.channel, fields, shard);
    if (elsewhere.includes(true)) return undefined;
    return { key: this.list.key(message.channel, shard), fields };
  }

  private async screenEmail(message: EmailMessage): Promise<ScreenedMessage<EmailMessage>> {
    const lists = { to: message.to, cc: message.cc ?? [], bcc: message.bcc ?? [] };
    const all = [...lists.to, ...lists.cc, ...lists.bcc];
    const flags = await this.list.suppressed('email', all);
    if (!flags.includes(true)) return { message, suppressed: [] };
    const dropped = new Set(all.filter((_, i) => flags[i]));
    const keep = (addresses: readonly string[]) => addresses.filter((a) => !dropped.has(a));
    const to = keep(lists.to);
    const cc = keep(lists.cc);
    const bcc = keep(lists.bcc);
    if (to.length === 0) {
      throw this.refused(
        'email',
        'to',
        lists.to.length > 1
          ? 'every address is on the suppression list'
          : 'is on the suppression list',
      );
    }
    const suppressed = [
      ...new Set([...dropped].map((a) => maskAddress('email', normaliseRecipient('email', a)))),
    ];
    this.metrics.intakeSuppressed.inc({ channel: 'email', outcome: 'dropped' }, dropped.size);
    const { cc: _cc, bcc: _bcc, ...rest } = message;
    return {
      message: {
        ...rest,
        to,
        ...(cc.length > 0 ? { cc } : {}),
        ...(bcc.length > 0 ? { bcc } : {}),
      },
      suppressed,
    };
  }

  private refused(channel: ChannelKind, field: string, problem: string): HeraldError {
    this.metrics.intakeSuppressed.inc({ channel, outcome: 'refused' });
    return new HeraldError(
      'recipient_suppressed',
      `The recipient (${field}) is on the ${channel} suppression list: a provider reported a bounce, complaint or unsubscribe, or an admin added it.`,
      { errors: [{ field, message: problem }] },
    );
  }
}
