import { LIQUID } from './liquid-environments';

describe('LIQUID', () => {
  it('escapes HTML in html, Slack control characters in slack, nothing in none', () => {
    const template = '{{ v }}';
    const render = (kind: keyof typeof LIQUID) =>
      LIQUID[kind].parseAndRenderSync(template, { v: `<a href="x">&'</a>` });
    expect(render('html')).toBe('&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt;');
    expect(render('slack')).toBe(`&lt;a href="x"&gt;&amp;'&lt;/a&gt;`);
    expect(render('none')).toBe(`<a href="x">&'</a>`);
  });

  it('lets a template opt a value out of escaping with raw', () => {
    expect(LIQUID.html.parseAndRenderSync('{{ v | raw }}', { v: '<b>' })).toBe('<b>');
  });

  it('refuses an undefined variable, but not in a condition', () => {
    expect(() => LIQUID.none.parseAndRenderSync('{{ user.nmae }}', { user: {} })).toThrow(
      /undefined variable: user\.nmae/,
    );
    expect(LIQUID.none.parseAndRenderSync('{% if user.note %}x{% endif %}ok', { user: {} })).toBe(
      'ok',
    );
  });

  it('reads own properties only, never the prototype chain', () => {
    expect(() =>
      LIQUID.none.parseAndRenderSync('{{ user.constructor.name }}', { user: {} }),
    ).toThrow(/undefined variable/);
  });

  it('includes no file', () => {
    expect(() => LIQUID.none.parseAndRenderSync('{% include "/etc/passwd" %}', {})).toThrow(
      /Failed to lookup/,
    );
  });

  it('stops a runaway render instead of holding the event loop', () => {
    const xs = Array.from({ length: 400 }, (_, i) => i);
    const loops =
      '{% for a in xs %}{% for b in xs %}{% for c in xs %}x{% endfor %}{% endfor %}{% endfor %}';
    expect(() => LIQUID.none.parseAndRenderSync(loops, { xs })).toThrow(/limit exceeded/);
  });
});
