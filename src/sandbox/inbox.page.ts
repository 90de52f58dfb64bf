import type { CapturedMessage } from './captured-message';
import {
  type ResolvedBehaviour,
  SIMULATED_PROVIDERS,
  type SimulatedProvider,
} from './provider-behaviour';

/** Messages shown per provider; the control API lists all of them. */
const SHOWN_PER_PROVIDER = 50;
/** Characters of a body shown before it is cut. */
const SHOWN_BODY_CHARS = 4_000;

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Every captured field is attacker-controlled: all of it goes through here. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const cut = (value: string) =>
  value.length > SHOWN_BODY_CHARS ? `${value.slice(0, SHOWN_BODY_CHARS)}…` : value;

function row(label: string, value: string | readonly string[] | undefined): string {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return '';
  const shown = Array.isArray(value) ? value.join(', ') : (value as string);
  return `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(shown)}</td></tr>`;
}

function card(m: CapturedMessage): string {
  const metadata = m.metadata ? Object.entries(m.metadata).map(([k, v]) => `${k}=${v}`) : undefined;
  return `<article>
<header><time datetime="${escapeHtml(m.receivedAt)}">${escapeHtml(m.receivedAt)}</time> <code>${escapeHtml(m.id)}</code></header>
<table>${row('To', m.to)}${row('From', m.from)}${row('Cc', m.cc)}${row('Bcc', m.bcc)}${row('Reply-To', m.replyTo)}${row('Subject', m.subject)}${row('Notification', m.notificationId)}${row('Metadata', metadata)}</table>
${m.text === undefined ? '' : `<pre class="text">${escapeHtml(cut(m.text))}</pre>`}
${m.html === undefined ? '' : `<details><summary>HTML source</summary><pre>${escapeHtml(cut(m.html))}</pre></details>`}
</article>`;
}

function section(
  provider: SimulatedProvider,
  messages: readonly CapturedMessage[],
  behaviour: ResolvedBehaviour,
): string {
  const shown = messages.slice(0, SHOWN_PER_PROVIDER);
  const more = messages.length - shown.length;
  return `<section id="${provider}">
<h2>${provider} <small>${messages.length} message${messages.length === 1 ? '' : 's'} · behaviour: ${escapeHtml(behaviour.mode)}</small></h2>
${shown.length === 0 ? '<p class="empty">No messages yet.</p>' : shown.map(card).join('\n')}
${more > 0 ? `<p class="empty">…and ${more} older (see /_sandbox/messages?provider=${provider}).</p>` : ''}
</section>`;
}

/**
 * The sandbox inbox: what each provider received, newest first, reloading every two
 * seconds. Server-rendered with every value escaped and no script; HTML bodies are shown
 * as source, never rendered.
 */
export function renderInbox(
  messages: readonly CapturedMessage[],
  behaviours: Readonly<Record<SimulatedProvider, ResolvedBehaviour>>,
): string {
  const byProvider = (p: SimulatedProvider) => messages.filter((m) => m.provider === p);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="2">
<title>Herald sandbox inbox</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
h2{border-bottom:1px solid #ccc;margin-top:2rem}h2 small{font-weight:normal;color:#666;font-size:.8em}
article{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:.5rem 0}
article header{color:#666;font-size:.9em}th{text-align:left;padding-right:1rem;vertical-align:top}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}.empty{color:#888}
</style>
</head>
<body>
<h1>Herald sandbox inbox</h1>
<p>What the simulated providers received: nothing here reached a real recipient. Newest first; this page reloads every 2 seconds.</p>
${SIMULATED_PROVIDERS.map((p) => section(p, byProvider(p), behaviours[p])).join('\n')}
</body>
</html>
`;
}
