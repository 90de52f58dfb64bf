import { loadConfig } from '../config/load-config';
import { combineProviderViews } from './combine-provider-views';
import { withRates } from './delivery-event-rates';
import type { ProvidersStatus, WorkerProviderView } from './provider-status.schema';
import { emptyOutcomeCounts } from './rolling-outcome-counts';
import { renderStatusPage, STATUS_REFRESH_SECONDS } from './status.page';

const { config } = loadConfig({ HERALD_SANDBOX: 'true' });
const NOW = '2026-01-01T00:01:00.000Z';

function status(views: Partial<WorkerProviderView>[]): ProvidersStatus {
  const providers = views.map((v) => ({
    provider: 'sendgrid' as const,
    state: 'closed' as const,
    openedAt: null,
    breakerWindow: { calls: 0, failures: 0, errorPercent: 0, rejectedByBreaker: 0 },
    counts: emptyOutcomeCounts(),
    latencyMs: null,
    lastError: null,
    lastSuccessAt: null,
    ...v,
  }));
  const snapshot = {
    workerId: 'w1',
    role: 'worker' as const,
    publishedAt: NOW,
    windowMs: 60_000,
    providers,
  };
  return {
    generatedAt: NOW,
    windowMs: 60_000,
    redisReachable: true,
    workers: [{ workerId: 'w1', role: 'worker', publishedAt: NOW, local: false }],
    providers: combineProviderViews(config, [snapshot], new Map(), Date.parse(NOW)),
  };
}

const queue = { waiting: 3, prioritized: 0, active: 1, delayed: 2, failed: 4, completed: 9 };

describe(renderStatusPage.name, () => {
  it('reloads itself and shows the queue depth', () => {
    const html = renderStatusPage({
      generatedAt: NOW,
      role: 'api',
      status: status([]),
      queue,
      problems: [],
    });
    expect(html).toContain(`<meta http-equiv="refresh" content="${STATUS_REFRESH_SECONDS}">`);
    expect(html).toMatch(/<span class="value">3<\/span><span class="label">waiting<\/span>/);
    expect(html).toMatch(
      /class="stat attention"><span class="value">4<\/span><span class="label">failed/,
    );
  });

  it('shows the fallbacks of the window, most frequent first, and says when there were none', () => {
    const html = renderStatusPage({
      generatedAt: NOW,
      role: 'api',
      problems: [],
      fallbacks: [
        { fromChannel: 'chat', toChannel: 'sms', reason: 'failed', count: 2 },
        { fromChannel: 'email', toChannel: 'sms', reason: 'bounced', count: 5 },
      ],
      fallbackWindowMs: 60_000,
    });
    const table = html.slice(html.indexOf('<table id="fallbacks">'));
    expect(table).toMatch(
      /email → sms<\/td><td>bounced<\/td><td class="num">5<\/td>.*chat → sms<\/td><td>failed<\/td><td class="num">2</s,
    );
    expect(table).toContain('Notifications in the last 60 s');
    const none = renderStatusPage({
      generatedAt: NOW,
      role: 'api',
      problems: [],
      fallbacks: [],
      fallbackWindowMs: 60_000,
    });
    expect(none).toContain('No fallback in the last 60 s.');
  });

  it('colours each breaker state', () => {
    const html = renderStatusPage({
      generatedAt: NOW,
      role: 'all',
      status: status([
        { provider: 'sendgrid', state: 'open' },
        { provider: 'mailgun', state: 'half_open' },
        { provider: 'ses', state: 'closed' },
      ]),
      queue,
      problems: [],
    });
    const badge = (provider: string) =>
      new RegExp(`data-provider="${provider}"[^]*?<span class="badge (\\w+)">([^<]+)<`).exec(html)!;
    expect(badge('sendgrid').slice(1)).toEqual(['bad', 'open']);
    expect(badge('mailgun').slice(1)).toEqual(['warn', 'half open']);
    expect(badge('ses').slice(1)).toEqual(['ok', 'closed']);
    // Configured, but no worker reports it.
    expect(badge('twilio').slice(1)).toEqual(['idle', 'no worker']);
  });

  it('shows the error rate, latency and last error of the window', () => {
    const html = renderStatusPage({
      generatedAt: NOW,
      role: 'api',
      status: status([
        {
          counts: {
            ...emptyOutcomeCounts(),
            sent: 1,
            failed: { ...emptyOutcomeCounts().failed, unavailable: 3 },
          },
          latencyMs: { p50: 12, p95: 250, p99: 900 },
          lastError: {
            errorClass: 'unavailable',
            detail: 'HTTP 503',
            at: '2026-01-01T00:00:48.000Z',
          },
        },
      ]),
      queue,
      problems: [],
    });
    const row = /<tr class="provider" data-provider="sendgrid"[^]*?<\/tr>/.exec(html)![0];
    expect(row).toContain('<span class="rate bad">75%</span>');
    expect(row).toContain('12 / 250 ms');
    expect(row).toMatch(/<code>unavailable<\/code> HTTP 503 <small><time[^>]*>12 s ago<\/time>/);
  });

  it("shows each provider's bounce and complaint rates of the window", () => {
    const page = status([{ provider: 'sendgrid' }, { provider: 'ses' }]);
    const html = renderStatusPage({
      generatedAt: NOW,
      role: 'api',
      status: {
        ...page,
        providers: page.providers.map((p) =>
          p.provider === 'sendgrid'
            ? {
                ...p,
                deliveryEvents: withRates({
                  delivered: 95,
                  bounced: 3,
                  undelivered: 2,
                  complained: 1,
                }),
              }
            : p,
        ),
      },
      queue,
      problems: [],
    });
    const row = (provider: string) =>
      new RegExp(`<tr class="provider" data-provider="${provider}"[^]*?</tr>`).exec(html)![0];
    expect(row('sendgrid')).toContain(
      '<td class="num bounces">3 <small class="rate warn">(3%)</small></td>',
    );
    // 1 in 95 delivered: far over the 0.1% a sender must stay under.
    expect(row('sendgrid')).toContain(
      '<td class="num complaints">1 <small class="rate bad">(1.1%)</small></td>',
    );
    // No events known (Redis did not answer, or chat): a dash, not a zero.
    expect(row('ses')).toContain('<td class="num bounces">—</td>');
  });

  it('escapes every value it did not write itself', () => {
    const html = renderStatusPage({
      generatedAt: NOW,
      role: 'api',
      status: status([
        {
          lastError: {
            errorClass: 'rejected',
            detail: '<script>alert(1)</script>"&',
            at: NOW,
          },
        },
      ]),
      queue,
      problems: ['<b>bold</b>'],
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>bold');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;');
  });

  it('still renders, with the problem said, when nothing could be read', () => {
    const html = renderStatusPage({
      generatedAt: NOW,
      role: 'api',
      problems: ['Redis does not answer: queue depth is unavailable.'],
    });
    expect(html).toContain(
      '<p class="problem">Redis does not answer: queue depth is unavailable.</p>',
    );
    expect(html).toContain('Provider status unavailable.');
    expect(html).toContain('Queue depth unavailable.');
  });
});
