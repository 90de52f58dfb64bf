import type { FallbackCount } from '../fallback/recent-fallbacks';
import type { QueueDepth } from '../metrics/queue-depth.service';
import { QUEUE_STATES } from '../metrics/queue-depth.service';
import { escapeHtml } from '../sandbox/inbox.page';
import type { ProviderStatus, ProvidersStatus } from './provider-status.schema';

/** Seconds the page waits before reloading itself. */
export const STATUS_REFRESH_SECONDS = 2;

/** What the page shows; either part may be missing when Redis does not answer. */
export interface StatusPageData {
  readonly generatedAt: string;
  readonly role: string;
  /** Sandbox mode: a banner says every provider is the simulator. */
  readonly sandbox?: boolean;
  readonly status?: ProvidersStatus;
  readonly queue?: QueueDepth;
  /** Notifications that moved on to a fallback step over the window, by kind. */
  readonly fallbacks?: readonly FallbackCount[];
  /** The window `fallbacks` covers, in ms. */
  readonly fallbackWindowMs?: number;
  /** Short, safe sentences shown as a banner (e.g. Redis unreachable). */
  readonly problems: readonly string[];
}

type Badge = { readonly label: string; readonly tone: 'ok' | 'warn' | 'bad' | 'idle' | 'info' };

function badge({ label, tone }: Badge): string {
  return `<span class="badge ${tone}">${escapeHtml(label)}</span>`;
}

function stateBadge(p: ProviderStatus): Badge {
  if (!p.configured) return { label: 'not configured', tone: 'idle' };
  switch (p.state) {
    case 'open':
      return { label: 'open', tone: 'bad' };
    case 'half_open':
      return { label: 'half open', tone: 'warn' };
    case 'closed':
      return { label: 'closed', tone: 'ok' };
    case null:
      return { label: 'no worker', tone: 'idle' };
  }
}

/** "12 s ago", "in 4 s": the page is read at a glance, not parsed. */
function relative(iso: string | null, now: number): string {
  if (iso === null) return '—';
  const s = Math.round((Date.parse(iso) - now) / 1000);
  const abs = Math.abs(s);
  const amount =
    abs < 120
      ? `${abs} s`
      : abs < 7200
        ? `${Math.round(abs / 60)} min`
        : `${Math.round(abs / 3600)} h`;
  const text = s > 0 ? `in ${amount}` : `${amount} ago`;
  return `<time datetime="${escapeHtml(iso)}" title="${escapeHtml(iso)}">${escapeHtml(text)}</time>`;
}

function workersCell(p: ProviderStatus): string {
  const { closed, half_open: halfOpen, open } = p.workersByState;
  const parts = [
    open > 0 ? `${open} open` : '',
    halfOpen > 0 ? `${halfOpen} half open` : '',
    closed > 0 ? `${closed} closed` : '',
  ].filter(Boolean);
  return parts.length === 0 ? '—' : escapeHtml(parts.join(', '));
}

function failedCell(p: ProviderStatus): string {
  const { failed } = p.counts;
  const total = Object.values(failed).reduce((a, b) => a + b, 0);
  const byClass = Object.entries(failed)
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  return total === 0 ? '0' : `${total} <small>(${escapeHtml(byClass)})</small>`;
}

/**
 * "3 (1.2%)": the window's bounces or complaints and their rate (see DeliveryEventRates); a
 * rate at or above the level where SES reviews an account (5% bounces, 0.1% complaints) is red.
 */
function eventRateCell(p: ProviderStatus, kind: 'bounced' | 'complained'): string {
  const events = p.deliveryEvents;
  if (!events) return '—';
  const rate = kind === 'bounced' ? events.bouncePercent : events.complaintPercent;
  const alarm = kind === 'bounced' ? 5 : 0.1;
  const tone = rate >= alarm ? 'bad' : rate > 0 ? 'warn' : 'ok';
  return `${events[kind]} <small class="rate ${tone}">(${rate}%)</small>`;
}

function row(p: ProviderStatus, now: number): string {
  const rate = p.errorPercent;
  const rateTone = rate >= 50 ? 'bad' : rate > 0 ? 'warn' : 'ok';
  const latency = p.latencyMs ? `${p.latencyMs.p50} / ${p.latencyMs.p95} ms` : '—';
  const cooling = p.cooldownUntil
    ? `${badge({ label: 'cooling down', tone: 'info' })} ends ${relative(p.cooldownUntil, now)}`
    : '—';
  const lastError = p.lastError
    ? `<code>${escapeHtml(p.lastError.errorClass)}</code> ${escapeHtml(p.lastError.detail)} <small>${relative(p.lastError.at, now)}</small>`
    : '—';
  return `<tr class="provider" data-provider="${escapeHtml(p.provider)}" data-state="${escapeHtml(p.state ?? 'none')}">
<th scope="row">${escapeHtml(p.provider)} <small>${escapeHtml(p.kind)}${p.position === null ? '' : ` #${p.position}`}</small></th>
<td>${badge(stateBadge(p))}</td>
<td>${workersCell(p)}</td>
<td class="num">${p.counts.sent}</td>
<td class="num">${failedCell(p)}</td>
<td class="num"><span class="rate ${rateTone}">${rate}%</span></td>
<td class="num">${escapeHtml(latency)}</td>
<td class="num bounces">${eventRateCell(p, 'bounced')}</td>
<td class="num complaints">${eventRateCell(p, 'complained')}</td>
<td class="num">${p.counts.shortCircuited}</td>
<td>${cooling}</td>
<td class="error">${lastError}</td>
<td>${relative(p.lastSuccessAt, now)}</td>
</tr>`;
}

function fallbackSection(
  fallbacks: readonly FallbackCount[] | undefined,
  windowMs: number | undefined,
): string {
  if (!fallbacks) return '<p class="empty">Fallbacks unavailable.</p>';
  const over = windowMs === undefined ? '' : ` in the last ${Math.round(windowMs / 1000)} s`;
  if (fallbacks.length === 0) return `<p class="empty" id="fallbacks">No fallback${over}.</p>`;
  const rows = [...fallbacks]
    .sort((a, b) => b.count - a.count)
    .map(
      (f) =>
        `<tr><td>${escapeHtml(f.fromChannel)} → ${escapeHtml(f.toChannel)}</td><td>${escapeHtml(f.reason)}</td><td class="num">${f.count}</td></tr>`,
    )
    .join('\n');
  return `<table id="fallbacks">
<thead><tr><th>Route</th><th>Reason</th><th class="num">Notifications${escapeHtml(over)}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function queueSection(queue: QueueDepth | undefined): string {
  if (!queue) return '<p class="empty">Queue depth unavailable.</p>';
  const cells = QUEUE_STATES.map(
    (s) =>
      `<div class="stat${s === 'failed' && queue[s] > 0 ? ' attention' : ''}"><span class="value">${queue[s]}</span><span class="label">${escapeHtml(s)}</span></div>`,
  ).join('');
  return `<div class="stats" id="queue">${cells}</div>`;
}

/**
 * The operator's status page: one row per provider with a coloured breaker state, the window's
 * counts, error rate and latency, the cool-down and the last error; the queue depth. Server-
 * rendered, every value escaped, no script and no external asset; reloads itself.
 */
export function renderStatusPage(data: StatusPageData): string {
  const now = Date.parse(data.generatedAt);
  const status = data.status;
  const windowS = status ? Math.round(status.windowMs / 1000) : undefined;
  const workers = status?.workers ?? [];
  const problems = data.problems.map((p) => `<p class="problem">${escapeHtml(p)}</p>`).join('\n');
  const rows = status ? status.providers.map((p) => row(p, now)).join('\n') : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="${STATUS_REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Herald status</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem 2rem;color:#1f2328;background:#fff}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
.meta{color:#59636e;margin:0}.sandbox{background:#fff8c5;border:1px solid #9a6700;color:#4d2d00;padding:.5rem .75rem;border-radius:6px}.problem{background:#ffebe9;border:1px solid #d1242f;color:#82071e;padding:.5rem .75rem;border-radius:6px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #d1d9e0;vertical-align:top}
thead th{font-size:.8rem;color:#59636e;font-weight:600;text-transform:uppercase;letter-spacing:.02em}
td.num{text-align:right;white-space:nowrap}small{color:#59636e;font-weight:normal}th small,td.error small{display:block}td.error{width:17rem;overflow-wrap:anywhere}
.badge{display:inline-block;padding:.1rem .55rem;border-radius:1rem;font-weight:600;font-size:.85rem;white-space:nowrap}
.badge.ok{background:#dafbe1;color:#116329}.badge.warn{background:#fff8c5;color:#7d4e00}.badge.bad{background:#d1242f;color:#fff}
.badge.idle{background:#eff2f5;color:#59636e}.badge.info{background:#ddf4ff;color:#0550ae}
.rate.ok{color:#116329}.rate.warn{color:#9a6700;font-weight:600}.rate.bad{color:#d1242f;font-weight:700}
.stats{display:flex;gap:.75rem;flex-wrap:wrap}.stat{border:1px solid #d1d9e0;border-radius:6px;padding:.4rem .9rem;min-width:6rem}
.stat .value{display:block;font-size:1.4rem;font-weight:600}.stat .label{color:#59636e;font-size:.85rem}
.stat.attention{border-color:#d1242f}.stat.attention .value{color:#d1242f}.empty{color:#59636e}
code{font-size:.85rem;background:#eff2f5;padding:0 .25rem;border-radius:4px}
</style>
</head>
<body>
<h1>Herald status</h1>
<p class="meta">Generated ${escapeHtml(data.generatedAt)} by a process of role ${escapeHtml(data.role)} · ${workers.length} worker${workers.length === 1 ? '' : 's'} reporting${windowS === undefined ? '' : ` · counts over the last ${windowS} s`} · reloads every ${STATUS_REFRESH_SECONDS} s</p>
${data.sandbox ? '<p class="sandbox" id="sandbox-banner"><strong>Sandbox mode</strong>: every provider is Herald\'s simulator; nothing reaches a real recipient.</p>\n' : ''}${problems}
<h2>Providers</h2>
${
  status
    ? `<table id="providers">
<thead><tr><th>Provider</th><th>Breaker</th><th>Workers</th><th class="num">Sent</th><th class="num">Failed</th><th class="num">Error rate</th><th class="num">p50 / p95</th><th class="num">Bounces</th><th class="num">Complaints</th><th class="num">Short-circuited</th><th>Cool-down</th><th>Last error</th><th>Last success</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
    : '<p class="empty">Provider status unavailable.</p>'
}
<h2>Fallbacks</h2>
${fallbackSection(data.fallbacks, data.fallbackWindowMs)}
<h2>Queue</h2>
${queueSection(data.queue)}
</body>
</html>
`;
}
