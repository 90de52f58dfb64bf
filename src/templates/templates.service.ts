import { Inject, Injectable } from '@nestjs/common';
import type { ChannelKind } from '../config/config.schema';
import { HERALD_CONFIG, type HeraldConfig } from '../config/herald-config';
import { HeraldError } from '../errors/herald-error';
import {
  type NotificationMessage,
  type NotificationRequest,
  parseOrThrow,
} from '../notifications/notification-message.schema';
import { type ContentChecker, contentChecker } from './content-checker';
import { dataProblems } from './data-problems';
import { DEFAULT_LOCALE, TemplateRenderError } from './template';
import { TemplateCatalog } from './template-catalog';
import { type RenderedContent, renderTemplate } from './template-renderer';
import {
  type TemplateList,
  type TemplatePreview,
  templatePreviewRequestSchema,
} from './templates-api.schemas';

/**
 * Renders templated messages at intake, so what is stored — and what every provider of the
 * failover chain later sends — is content, byte for byte, whatever happens to the template.
 */
@Injectable()
export class TemplatesService {
  private readonly checkContent: ContentChecker;

  constructor(
    @Inject(HERALD_CONFIG) config: HeraldConfig,
    private readonly catalog: TemplateCatalog,
  ) {
    this.checkContent = contentChecker(config.limits);
  }

  /**
   * The message with its content: a templated request rendered (its data checked against the
   * template's schema, its output against the message limits); a message with content as is.
   * Throws `template_not_found`, `template_data_invalid`, `template_render_failed` or
   * `template_output_invalid`.
   */
  render(request: NotificationRequest): NotificationMessage {
    if (!('template' in request)) return request;
    const { template, locale, data, ...envelope } = request;
    const { content } = this.renderContent(template, envelope.channel, locale, data ?? {});
    // The content passed the channel's own content rules in renderContent.
    return { ...envelope, ...content } as NotificationMessage;
  }

  /** `POST /v1/templates/:name/preview`: what a send would store, or the same problems. */
  preview(name: string, body: unknown): TemplatePreview {
    const request = parseOrThrow(templatePreviewRequestSchema, body);
    const { locale, content } = this.renderContent(
      name,
      request.channel,
      request.locale,
      request.data ?? {},
    );
    return { template: name, channel: request.channel, locale, content } as TemplatePreview;
  }

  /** `GET /v1/templates`. */
  list(): TemplateList {
    return {
      templates: this.catalog.list().map((t) => ({
        name: t.name,
        channels: [...t.channels],
        locales: [DEFAULT_LOCALE, ...t.locales],
        schema: t.schema,
      })),
    };
  }

  private renderContent(
    name: string,
    channel: ChannelKind,
    locale: string | undefined,
    data: Record<string, unknown>,
  ): RenderedContent {
    const template = this.catalog.get(name);
    if (!template) {
      throw new HeraldError(
        'template_not_found',
        `No template named "${name}"; GET /v1/templates lists them.`,
        { errors: [{ field: 'template', message: 'is not a known template' }] },
      );
    }
    if (!template.channels.includes(channel)) {
      throw new HeraldError('template_not_found', `Template "${name}" has no ${channel} variant.`, {
        errors: [
          { field: 'channel', message: `template "${name}" has ${template.channels.join(', ')}` },
        ],
      });
    }
    if (!template.validate(data)) {
      const errors = dataProblems(template.validate.errors ?? []);
      throw new HeraldError(
        'template_data_invalid',
        `Invalid data for template "${name}": ${[...new Set(errors.map((e) => e.field))].join(', ')}.`,
        { errors },
      );
    }
    let rendered: RenderedContent;
    try {
      rendered = renderTemplate(template, channel, locale, data);
    } catch (err) {
      if (!(err instanceof TemplateRenderError)) throw err;
      throw new HeraldError(
        'template_render_failed',
        `Template "${name}" could not render this data: ${err.message}.`,
      );
    }
    const errors = this.checkContent(channel, rendered.content as Record<string, unknown>);
    if (errors.length > 0) {
      throw new HeraldError(
        'template_output_invalid',
        `Template "${name}" (${rendered.locale}) rendered ${channel} content outside the message limits: ${[...new Set(errors.map((e) => e.field))].join(', ')}.`,
        { errors },
      );
    }
    return rendered;
  }
}
