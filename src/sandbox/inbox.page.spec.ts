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

describe('the inbox page with templated messages', () => {
  const email = {
    id: 'm1',
    provider: 'sendgrid' as const,
    receivedAt: '2026-12-01T14:05:09.000Z',
    to: ['ada@example.com'],
    subject: 'Order',
    html: '<p style="color:red">Hi <b>Ada</b></p><script>alert(1)</script>',
    notificationId: '0f0e0d0c-0b0a-4900-8800-000000000001',
    raw: {},
  };

  it('renders an HTML body inside a frame with every sandbox restriction', () => {
    const html = renderInbox([email], behaviours);
    const frame = /<iframe class="html" sandbox="" [^>]*srcdoc="([^"]*)"><\/iframe>/.exec(html);
    expect(frame?.[1]).toBe(escapeHtml(email.html));
    expect(html).not.toContain('allow-');
    expect(html).not.toMatch(/<script/);
  });

  it('draws Slack blocks, keeping caller text as text and links to http(s) only', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: '&lt;!channel&gt; disk' } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*Severity* <https://runbooks.example.com/x|Runbook>' },
        fields: [{ type: 'mrkdwn', text: '_db_' }],
      },
      { type: 'section', text: { type: 'mrkdwn', text: '<javascript:alert(1)|click>' } },
      { type: 'divider' },
      { type: 'rich_text', elements: [] },
    ];
    const html = renderInbox(
      [
        {
          id: '1.2',
          provider: 'slack',
          receivedAt: email.receivedAt,
          to: ['C0123456789'],
          text: 'alert',
          raw: { blocks: JSON.stringify(blocks) },
        },
      ],
      behaviours,
    );
    expect(html).toContain('<h4>&lt;!channel&gt; disk</h4>');
    expect(html).toContain(
      '<strong>Severity</strong> <a href="https://runbooks.example.com/x" rel="noreferrer">Runbook</a>',
    );
    expect(html).toContain('<em>db</em>');
    expect(html).toContain('&lt;javascript:alert(1)|click&gt;');
    expect(html).not.toMatch(/href="javascript/);
    expect(html).toContain('<hr>');
    expect(html).toContain('&quot;rich_text&quot;');
  });

  it('shows times in local time, with the UTC instant as the title', () => {
    const html = renderInbox([email], behaviours, { timeZone: 'America/Toronto' });
    expect(html).toContain(
      '<time datetime="2026-12-01T14:05:09.000Z" title="2026-12-01T14:05:09.000Z">1 Dec 2026, 09:05:09 GMT-5</time>',
    );
  });

  it("links each message to its Herald record when Herald's URL is known", () => {
    const linked = renderInbox([email], behaviours, { heraldUrl: 'http://127.0.0.1:3000/' });
    expect(linked).toContain(
      `<a href="http://127.0.0.1:3000/v1/notifications/${email.notificationId}">${email.notificationId}</a>`,
    );
    expect(renderInbox([email], behaviours)).toContain(`<td>${email.notificationId}</td>`);
  });
});

describe(escapeHtml.name, () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
