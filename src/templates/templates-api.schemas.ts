import { z } from 'zod';
import { CHANNEL_KINDS } from '../config/config.schema';
import { LOCALE } from '../notifications/notification-message.schema';

/** The body of `POST /v1/templates/:name/preview`: what a templated message would carry. */
export const templatePreviewRequestSchema = z.strictObject({
  channel: z.enum(CHANNEL_KINDS, { error: 'must be one of email, sms, chat' }),
  locale: z.string().regex(LOCALE, 'must be a language tag such as fr or fr-CA').optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type TemplatePreviewRequest = z.infer<typeof templatePreviewRequestSchema>;

/** The answer of a preview: the content a send with the same fields would store and send. */
export const templatePreviewSchema = z.object({
  template: z.string(),
  channel: z.enum(CHANNEL_KINDS),
  locale: z.string().describe('The locale whose files rendered it, or "default".'),
  content: z
    .object({
      subject: z.string().optional(),
      text: z.string().optional(),
      html: z.string().optional(),
      blocks: z.array(z.record(z.string(), z.unknown())).optional(),
    })
    .describe('The same fields a message with content carries for this channel.'),
});
export type TemplatePreview = z.infer<typeof templatePreviewSchema>;

/** The answer of `GET /v1/templates`. */
export const templateListSchema = z.object({
  templates: z.array(
    z.object({
      name: z.string(),
      channels: z.array(z.enum(CHANNEL_KINDS)),
      locales: z
        .array(z.string())
        .describe('"default", then every locale with files of its own (fr, fr-CA, …).'),
      schema: z
        .record(z.string(), z.unknown())
        .describe("JSON Schema (2020-12) of the template's data."),
    }),
  ),
});
export type TemplateList = z.infer<typeof templateListSchema>;
