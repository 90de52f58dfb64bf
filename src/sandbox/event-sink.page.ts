import type { SinkEvent } from './event-sink';
import { escapeHtml } from './inbox.page';

const SIGNATURE_LABEL: Record<SinkEvent['signature'], string> = {
  verified: '✔ signature verified',
  failed: '✘ signature failed',
  unchecked: 'signature not checked',
};

function card(e: SinkEvent): string {
  let pretty = e.body;
  try {
    pretty = JSON.stringify(JSON.parse(e.body), null, 2);
  } catch {
    // Shown as received.
  }
  return `<article class="${e.signature}">
<header><time datetime="${escapeHtml(e.receivedAt)}">${escapeHtml(e.receivedAt)}</time> <strong>${escapeHtml(e.type ?? '(not an event)')}</strong> · <span class="sig">${escapeHtml(SIGNATURE_LABEL[e.signature])}</span>${e.detail ? ` (${escapeHtml(e.detail)})` : ''} · answered ${e.answered}</header>
<table><tr><th>webhook-id</th><td><code>${escapeHtml(e.webhookId ?? '—')}</code></td></tr><tr><th>webhook-timestamp</th><td>${escapeHtml(e.webhookTimestamp ?? '—')}</td></tr><tr><th>Notification</th><td><code>${escapeHtml(e.notificationId ?? '—')}</code></td></tr></table>
<pre>${escapeHtml(pretty)}</pre>
</article>`;
}

/**
 * The event sink's page: the events Herald posted, newest first, each with whether its
 * signature verified; reloads every two seconds. Every value escaped, no script.
 */
export function renderEventSink(
  events: readonly SinkEvent[],
  settings: { secretSet: boolean; status: number },
): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="2">
<title>Herald sandbox event sink</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
article{border:1px solid #ddd;border-left-width:6px;border-radius:6px;padding:.5rem 1rem;margin:.5rem 0}
article.verified{border-left-color:#2e7d32}article.failed{border-left-color:#c62828}article.unchecked{border-left-color:#999}
article header{color:#444}th{text-align:left;padding-right:1rem}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}.empty{color:#888}
</style>
</head>
<body>
<h1>Herald sandbox event sink</h1>
<p>Events Herald posted to <code>POST /_sandbox/event-sink</code>, newest first; this page reloads every 2 seconds.
Secret ${settings.secretSet ? 'set: signatures are checked' : 'not set: <code>PUT /_sandbox/event-sink {"secret": "whsec_…"}</code> to check signatures'}; answering ${settings.status}.</p>
${events.length === 0 ? '<p class="empty">No events yet.</p>' : events.map(card).join('\n')}
</body>
</html>
`;
}
