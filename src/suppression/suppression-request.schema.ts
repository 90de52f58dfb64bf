import { z } from 'zod';
import { CHANNEL_KINDS, type ChannelKind } from '../config/config.schema';
import { E164, SLACK_CHANNEL_ID } from '../notifications/notification-message.schema';
import { SUPPRESSION_REASONS } from './suppression-entry';

/** What a recipient of each channel must look like: the same rules a message's `to` follows. */
const RECIPIENT: Readonly<Record<ChannelKind, { test: (v: string) => boolean; message: string }>> =
  {
    email: {
      test: (v) => z.email().safeParse(v.trim()).success,
      message: 'must be an e-mail address for channel email',
    },
    sms: { test: (v) => E164.test(v), message: 'must be an E.164 number such as +14155550100' },
    chat: {
      test: (v) => SLACK_CHANNEL_ID.test(v),
      message: 'must be a Slack channel id such as C0123456789',
    },
  };

const channel = z.enum(CHANNEL_KINDS);
const recipient = z
  .string()
  .min(1, 'must not be empty')
  .max(320, 'must be at most 320 characters')
  .describe('The e-mail address, E.164 number or Slack channel id, in clear.');

/** The recipient must be one of its channel's: checked after both fields parsed. */
const recipientFitsChannel = (
  v: { channel: ChannelKind; recipient: string },
  ctx: z.RefinementCtx,
) => {
  const rule = RECIPIENT[v.channel];
  if (!rule.test(v.recipient)) {
    ctx.addIssue({ code: 'custom', path: ['recipient'], message: rule.message });
  }
};

/** `GET` and `DELETE /v1/suppressions?channel=&recipient=`. */
export const suppressionQuerySchema = z
  .strictObject({ channel, recipient })
  .superRefine(recipientFitsChannel);

/** `PUT /v1/suppressions`: put a recipient on a channel's list. */
export const suppressionPutSchema = z
  .strictObject({
    channel,
    recipient,
    reason: z.enum(SUPPRESSION_REASONS).default('manual').describe('Why; `manual` when omitted.'),
  })
  .superRefine(recipientFitsChannel)
  .meta({ examples: [{ channel: 'email', recipient: 'ada@example.com', reason: 'manual' }] });

/** What the suppression routes answer: the recipient (masked) and whether it is suppressed. */
export const suppressionAnswerSchema = z
  .object({
    channel: z.enum(CHANNEL_KINDS),
    recipient: z.string().describe('Masked.'),
    suppressed: z.boolean(),
    reason: z.enum(SUPPRESSION_REASONS).optional(),
    provider: z.string().optional().describe('The provider whose event put it there.'),
    at: z.iso.datetime({ offset: true }).optional().describe('When it was added.'),
    removed: z.boolean().optional().describe('DELETE: whether it was on the list.'),
  })
  .describe("A recipient's place on a channel's suppression list.");

export type SuppressionAnswer = z.infer<typeof suppressionAnswerSchema>;
