import { join } from 'node:path';
import { DEFAULT_MESSAGE_LIMITS } from '../notifications/notification-message.schema';
import { contentChecker } from './content-checker';
import type { Template } from './template';
import { loadTemplateCatalog } from './template-loader';
import { localeChain, renderTemplate } from './template-renderer';

const catalog = loadTemplateCatalog(join(__dirname, '..', '..', 'templates'), {
  checkContent: contentChecker(DEFAULT_MESSAGE_LIMITS),
});
const order = catalog.get('order-confirmation')!;
const alert = catalog.get('oncall-alert')!;
const orderData = {
  order: {
    id: 'A-1',
    customerName: '<b>Ada</b> & "Co"',
    items: [{ name: 'Cards', quantity: 2, price: '$6.00' }],
    total: '$12.00',
  },
};
const alertData = {
  alert: {
    title: '<!channel> disk & more',
    severity: 'warning',
    service: 'db',
    startedAt: '2026-12-01T14:00:00Z',
  },
};
const render = (
  t: Template,
  channel: 'email' | 'sms' | 'chat',
  locale: string | undefined,
  data: object,
) => renderTemplate(t, channel, locale, data as Record<string, unknown>);

describe(localeChain.name, () => {
  it('goes from the most specific tag to the default', () => {
    expect(localeChain('fr-CA')).toEqual(['fr-CA', 'fr', 'default']);
    expect(localeChain('zh-Hant-TW')).toEqual(['zh-Hant-TW', 'zh-Hant', 'zh', 'default']);
    expect(localeChain(undefined)).toEqual(['default']);
  });

  it('canonicalises the case of the tag', () => {
    expect(localeChain('FR-ca')).toEqual(['fr-CA', 'fr', 'default']);
  });
});

describe(renderTemplate.name, () => {
  describe('when choosing a locale', () => {
    it('uses the locale asked for when it has the channel', () => {
      const { locale, content } = render(order, 'sms', 'fr-CA', orderData);
      expect(locale).toBe('fr-CA');
      expect(content.text).toContain('Merci de magasiner chez nous!');
    });

    it('falls back from fr-CA to fr for a channel fr-CA does not have', () => {
      const { locale, content } = render(order, 'email', 'fr-CA', orderData);
      expect(locale).toBe('fr');
      expect(content.subject).toBe('Votre commande A-1 est confirmée');
    });

    it('falls back to the default for a locale with no files', () => {
      const { locale, content } = render(order, 'email', 'de-AT', orderData);
      expect(locale).toBe('default');
      expect(content.subject).toBe('Your order A-1 is confirmed');
    });
  });

  describe('when the data holds markup', () => {
    it('escapes it in html', () => {
      const { content } = render(order, 'email', undefined, orderData);
      expect(content.html).toContain('Thank you, &lt;b&gt;Ada&lt;/b&gt; &amp; &#34;Co&#34;');
      expect(content.html).not.toContain('<b>Ada</b>');
    });

    it('leaves it as written in plain text and SMS', () => {
      expect(render(order, 'email', undefined, orderData).content.text).toContain(
        'Hello <b>Ada</b> & "Co",',
      );
    });

    it("escapes Slack's control characters in chat text and blocks", () => {
      const { content } = render(alert, 'chat', undefined, alertData);
      expect(content.text).toBe('[WARNING] db: &lt;!channel&gt; disk &amp; more');
      expect(JSON.stringify(content.blocks)).toContain('&lt;!channel&gt; disk &amp; more');
      expect(JSON.stringify(content.blocks)).not.toContain('<!channel>');
    });
  });

  it('renders chat blocks as JSON values, not text', () => {
    const { content } = render(alert, 'chat', undefined, alertData);
    expect(content.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: '&lt;!channel&gt; disk &amp; more' } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Severity*\nWARNING' },
          { type: 'mrkdwn', text: '*Service*\ndb' },
          { type: 'mrkdwn', text: '*Started*\n2026-12-01T14:00:00Z' },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: '_No summary._' } },
    ]);
  });

  it('gives the same bytes for the same data every time', () => {
    const a = render(order, 'email', 'fr', orderData);
    const b = render(order, 'email', 'fr', orderData);
    expect(b).toEqual(a);
  });
});
