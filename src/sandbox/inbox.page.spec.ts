import { SIMULATED_PROVIDERS } from './provider-behaviour';
import { ProviderState } from './provider-state';
import { escapeHtml, renderInbox } from './inbox.page';

const behaviours = Object.fromEntries(
  SIMULATED_PROVIDERS.map((p) => [p, new ProviderState().behaviour]),
) as Parameters<typeof renderInbox>[1];

describe(renderInbox.name, () => {
  it('escapes every captured value, bodies and ids included', () => {
    const html = renderInbox(
      [
        {
          id: '"><img src=x onerror=alert(1)>',
          provider: 'mailgun',
          receivedAt: '2026-01-01T00:00:00.000Z',
          to: ['<b>ada</b>@example.com'],
          subject: "it's <i>here</i>",
          text: '</pre><script>alert(1)</script>',
          html: '<a href="javascript:alert(1)">x</a>',
          metadata: { '<k>': '<v>' },
          raw: {},
        },
      ],
      behaviours,
    );

    expect(html).not.toMatch(/<(script|img|b|i|a|k|v)[\s>]/);
    expect(html).toContain('it&#39;s &lt;i&gt;here&lt;/i&gt;');
    expect(html).toContain('&lt;a href=&quot;javascript:alert(1)&quot;&gt;');
  });

  it('has a section per provider, empty ones included', () => {
    const html = renderInbox([], behaviours);

    for (const provider of SIMULATED_PROVIDERS)
      expect(html).toContain(`<section id="${provider}">`);
    expect(html.match(/No messages yet/g)).toHaveLength(SIMULATED_PROVIDERS.length);
  });
});

describe(escapeHtml.name, () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
