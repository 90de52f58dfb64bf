import type { ChannelKind } from '../config/config.schema';
import { type ContentField, DEFAULT_LOCALE, type Template } from './template';

/** What a template rendered for one channel: content fields, as a message carries them. */
export interface RenderedContent {
  /** The locale whose files were used, or `default`. */
  readonly locale: string;
  readonly content: Readonly<Partial<Record<ContentField, unknown>>>;
}

/**
 * The locales to try for `requested`, most specific first: `fr-CA` → `fr` → default. A
 * channel's variant is taken whole from one locale, so a message never mixes languages.
 */
export function localeChain(requested: string | undefined): string[] {
  if (requested === undefined) return [DEFAULT_LOCALE];
  const [canonical] = Intl.getCanonicalLocales(requested);
  const subtags = canonical!.split('-');
  const chain: string[] = [];
  for (let n = subtags.length; n > 0; n--) chain.push(subtags.slice(0, n).join('-'));
  return [...chain, DEFAULT_LOCALE];
}

/**
 * Renders `template` for `channel` in the first locale of the chain that has that channel.
 * The caller has checked that the template has the channel and validated `data`; a part that
 * still fails throws `TemplateRenderError`.
 */
export function renderTemplate(
  template: Template,
  channel: ChannelKind,
  locale: string | undefined,
  data: Record<string, unknown>,
): RenderedContent {
  for (const candidate of localeChain(locale)) {
    const variant = template.variants.get(candidate)?.get(channel);
    if (!variant) continue;
    const content: Partial<Record<ContentField, unknown>> = {};
    for (const [field, part] of Object.entries(variant)) {
      content[field as ContentField] = part.render(data);
    }
    return { locale: candidate, content };
  }
  throw new Error(`template ${template.name} has no ${channel} variant`);
}
