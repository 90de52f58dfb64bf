import { Liquid, type LiquidOptions } from 'liquidjs';

/** How a part's output is escaped: per the medium it ends up in. */
export type Escaping = 'html' | 'slack' | 'none';

/**
 * Liquid, not Handlebars: a template is data, never code (no helpers in JavaScript, no access
 * to prototypes), an undefined variable or filter is an error instead of an empty string, and
 * its errors carry a line and column we can report at start.
 */
const SAFE: LiquidOptions = {
  strictVariables: true,
  strictFilters: true,
  // `{% if order.note %}` on an optional field is a test, not a typo.
  lenientIf: true,
  ownPropertyOnly: true,
  // No {% include %} or {% render %} of files: every template is one self-contained folder.
  templates: {},
  cache: false,
  // A render runs on the request's thread: a loop over loops of caller data must not hold the
  // event loop. Real renders take well under a millisecond; these only stop runaways.
  renderLimit: 1_000,
  memoryLimit: 50_000_000,
};

/**
 * Slack's mrkdwn treats `&`, `<` and `>` as control characters (`<!channel>` pings everyone):
 * caller data is escaped the way Slack documents, as HTML is for e-mail.
 */
function escapeSlack(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One Liquid environment per escaping rule; `{{ x | raw }}` opts a value out. */
export const LIQUID: Readonly<Record<Escaping, Liquid>> = {
  html: new Liquid({ ...SAFE, outputEscape: 'escape' }),
  slack: new Liquid({ ...SAFE, outputEscape: escapeSlack }),
  none: new Liquid(SAFE),
};
