import { z } from 'zod';
import { fieldsOf } from '../simulated-endpoint';
import { type ContractViolation, type ProviderContract, coded } from './provider-contract';

/*
 * Slack `chat.postMessage` (`POST /api/chat.postMessage`, form or JSON). Sources:
 * [OAS]  Slack's OpenAPI description (slackapi/slack-api-specs,
 *        web-api/slack_web_openapi_v2.json, `/chat.postMessage`): the parameters, their types,
 *        and that `blocks` and `attachments` travel as JSON-encoded strings in a form.
 * [DOCS] Slack's method reference (https://docs.slack.dev/reference/methods/chat.postMessage)
 *        and Block Kit reference (https://docs.slack.dev/reference/block-kit/blocks): the
 *        limits, the `metadata` argument (newer than the OpenAPI description) and the errors.
 * Slack answers a violation with HTTP 200 `{ok: false, error}` and, for argument problems,
 * `response_metadata.messages`.
 */

/** [DOCS] "up to 50 blocks" in a message. */
export const SLACK_MAX_BLOCKS = 50;
/** [DOCS] `msg_too_long` above 40,000 characters of `text`. */
export const SLACK_MAX_TEXT_CHARS = 40_000;
/** [DOCS] `too_many_attachments`: at most 100 attachments. */
export const SLACK_MAX_ATTACHMENTS = 100;

/** Form-encoded JSON arguments, decoded; a string that is not JSON stays a string (and fails). */
const JSON_ARGUMENTS = ['blocks', 'attachments', 'metadata'];

function input(body: unknown): Record<string, unknown> {
  const fields = { ...fieldsOf(body) };
  for (const name of JSON_ARGUMENTS) {
    const value = fields[name];
    if (typeof value !== 'string') continue;
    try {
      fields[name] = JSON.parse(value) as unknown;
    } catch {
      // left as the string: the schema refuses it with Slack's own error.
    }
  }
  return fields;
}

/** [OAS] booleans arrive as form strings. */
const formBoolean = z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])]).optional();

const schema = z
  .looseObject({
    // [OAS] channel: required string. [DOCS] an unknown or missing one: channel_not_found.
    channel: z
      .string({ error: coded('channel_not_found', 'channel is required') })
      .min(1, coded('channel_not_found', 'channel is required')),
    text: z
      .string()
      .max(
        SLACK_MAX_TEXT_CHARS,
        coded('msg_too_long', `text is longer than ${SLACK_MAX_TEXT_CHARS} characters`),
      )
      .optional(),
    // [OAS] blocks: a JSON array of block objects. [DOCS] at most 50; each has a `type`.
    blocks: z
      .array(
        z.looseObject({
          type: z.string({ error: coded('invalid_blocks', 'missing required field: type') }),
        }),
        { error: coded('invalid_blocks_format', 'blocks must be a JSON array') },
      )
      .max(
        SLACK_MAX_BLOCKS,
        coded('invalid_blocks', `no more than ${SLACK_MAX_BLOCKS} items allowed`),
      )
      .optional(),
    // [OAS] attachments: a JSON array. [DOCS] at most 100.
    attachments: z
      .array(z.looseObject({}), {
        error: coded('invalid_attachments', 'attachments must be a JSON array'),
      })
      .max(
        SLACK_MAX_ATTACHMENTS,
        coded('too_many_attachments', `at most ${SLACK_MAX_ATTACHMENTS} attachments`),
      )
      .optional(),
    // [DOCS] metadata: `{event_type, event_payload}`, JSON-encoded.
    metadata: z
      .looseObject(
        {
          event_type: z.string({
            error: coded('invalid_metadata_format', 'event_type is required'),
          }),
          event_payload: z.record(z.string(), z.unknown(), {
            error: coded('invalid_metadata_format', 'event_payload must be an object'),
          }),
        },
        { error: coded('invalid_metadata_format', 'metadata must be a JSON object') },
      )
      .optional(),
    // [OAS] the other arguments and their types.
    as_user: z.string().optional(),
    icon_emoji: z.string().optional(),
    icon_url: z.string().optional(),
    link_names: formBoolean,
    mrkdwn: formBoolean,
    parse: z.string().optional(),
    reply_broadcast: formBoolean,
    thread_ts: z.string().optional(),
    unfurl_links: formBoolean,
    unfurl_media: formBoolean,
    username: z.string().optional(),
  })
  .superRefine((args, ctx) => {
    // [DOCS] no_text: one of text, blocks or attachments is required.
    const some = (v: unknown) =>
      Array.isArray(v) ? v.length > 0 : typeof v === 'string' && v !== '';
    if (!some(args.text) && !some(args.blocks) && !some(args.attachments)) {
      ctx.addIssue({
        code: 'custom',
        path: ['text'],
        message: coded('no_text', 'text, blocks or attachments is required'),
      });
    }
  });

/** Slack's answer: the first violation's error, every violation in `response_metadata`. */
function refuse(violations: readonly ContractViolation[]) {
  const error = violations[0]!.code ?? 'invalid_arguments';
  return {
    status: 200,
    body: {
      ok: false,
      error,
      response_metadata: {
        messages: violations.map(
          (v) => `[ERROR] ${v.message} [json-pointer:/${v.field.replace(/\./g, '/')}]`,
        ),
      },
    },
  };
}

export const slackContract: ProviderContract = {
  provider: 'slack',
  call: 'chat.postMessage (POST /api/chat.postMessage)',
  input: (request) => input(request.body),
  schema,
  refuse,
};
