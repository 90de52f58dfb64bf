import type { ValidateFunction } from 'ajv';
import type { ChannelKind } from '../config/config.schema';
import type { Escaping } from './liquid-environments';

/** The content field a part renders: the same names a message with content uses. */
export type ContentField = 'subject' | 'text' | 'html' | 'blocks';

/** What each file of a template folder is, by its name. */
export const PART_FILES: Readonly<
  Record<string, { channel: ChannelKind; field: ContentField; escaping: Escaping }>
> = {
  'email.subject.liquid': { channel: 'email', field: 'subject', escaping: 'none' },
  'email.text.liquid': { channel: 'email', field: 'text', escaping: 'none' },
  'email.html.liquid': { channel: 'email', field: 'html', escaping: 'html' },
  'sms.text.liquid': { channel: 'sms', field: 'text', escaping: 'none' },
  'chat.text.liquid': { channel: 'chat', field: 'text', escaping: 'slack' },
  // JSON whose every string is a Liquid template: Slack Block Kit blocks.
  'chat.blocks.json': { channel: 'chat', field: 'blocks', escaping: 'slack' },
};

/** Locale key of the files at the top of a template folder. */
export const DEFAULT_LOCALE = 'default';

/** One compiled file of a template. */
export interface CompiledPart {
  /** Path inside the template folder, e.g. `fr/email.html.liquid`: named in errors. */
  readonly file: string;
  /** Renders with the template's data; throws {@link TemplateRenderError}. */
  render(data: Record<string, unknown>): unknown;
}

/** The parts of one channel in one locale. */
export type ChannelVariant = Readonly<Partial<Record<ContentField, CompiledPart>>>;

/** A template as loaded and checked at start. */
export interface Template {
  readonly name: string;
  /** The JSON Schema of its data, as written. */
  readonly schema: Record<string, unknown>;
  readonly validate: ValidateFunction;
  /** Channels it has a variant for (in the default locale, hence in every locale). */
  readonly channels: readonly ChannelKind[];
  /** Locales with files of their own, besides {@link DEFAULT_LOCALE}; canonical BCP 47 tags. */
  readonly locales: readonly string[];
  /** Variants by locale (or {@link DEFAULT_LOCALE}), then channel. */
  readonly variants: ReadonlyMap<string, ReadonlyMap<ChannelKind, ChannelVariant>>;
}

/** A template that failed to render: where, and what went wrong. */
export class TemplateRenderError extends Error {
  constructor(
    /** Path inside the template folder. */
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${problem}`);
    this.name = 'TemplateRenderError';
  }
}
