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

/** What the inbox needs to know beyond the messages. */
export interface InboxOptions {
  /** Herald's base URL: each message then links to its record, `/v1/notifications/:id`. */
  readonly heraldUrl?: string;
  /** Time zone the times are shown in; the simulator machine's own when absent. */
  readonly timeZone?: string;
}

function row(label: string, value: string | readonly string[] | undefined): string {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return '';
  const shown = Array.isArray(value) ? value.join(', ') : (value as string);
  return `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(shown)}</td></tr>`;
}

/**
 * The page runs no script (its CSP forbids it), so "local time" is the time zone of the machine
 * running the simulator — a developer's own, in sandbox use; the exact UTC instant is the title.
 */
function localTime(iso: string, timeZone: string | undefined): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return escapeHtml(iso);
  const shown = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZone,
    timeZoneName: 'short',
  }).format(at);
  return `<time datetime="${escapeHtml(iso)}" title="${escapeHtml(iso)}">${escapeHtml(shown)}</time>`;
}

function recordRow(id: string | undefined, heraldUrl: string | undefined): string {
  if (id === undefined) return '';
  if (heraldUrl === undefined) return row('Notification', id);
  const href = `${heraldUrl.replace(/\/+$/, '')}/v1/notifications/${encodeURIComponent(id)}`;
  return `<tr><th>Notification</th><td><a href="${escapeHtml(href)}">${escapeHtml(id)}</a></td></tr>`;
}

/**
 * The HTML body rendered as a recipient would see it, in a frame with every sandbox
 * restriction (no script, no forms, no navigation of this page, an opaque origin); the page's
 * CSP, which the frame inherits, also keeps it from loading remote images (no tracking pixels).
 */
function htmlBody(html: string): string {
  return `<iframe class="html" sandbox="" referrerpolicy="no-referrer" title="HTML body" srcdoc="${escapeHtml(html)}"></iframe>
<details><summary>HTML source</summary><pre>${escapeHtml(cut(html))}</pre></details>`;
}

/** Slack's mrkdwn escapes; undone before our own escaping, so `&amp;` shows as `&`. */
const unSlack = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** A readable subset of Slack mrkdwn: bold, italic, code and `<url|label>` links. */
function mrkdwn(text: unknown): string {
  if (typeof text !== 'string') return '';
  return escapeHtml(unSlack(text))
    .replace(/&lt;(https?:\/\/[^|&\s]+)\|([^&]*)&gt;/g, '<a href="$1" rel="noreferrer">$2</a>')
    .replace(/&lt;(https?:\/\/[^|&\s]+)&gt;/g, '<a href="$1" rel="noreferrer">$1</a>')
    .replace(/(^|\s)\*([^*\n]+)\*/g, '$1<strong>$2</strong>')
    .replace(/(^|\s)_([^_\n]+)_/g, '$1<em>$2</em>')
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/\n/g, '<br>');
}

type Block = { type?: unknown; text?: { text?: unknown }; fields?: { text?: unknown }[] } & Record<
  string,
  unknown
>;

/** One Block Kit block, roughly as Slack shows it; kinds not drawn here show as JSON. */
function block(b: Block): string {
  switch (b.type) {
    case 'header':
      return `<h4>${escapeHtml(unSlack(String(b.text?.text ?? '')))}</h4>`;
    case 'divider':
      return '<hr>';
    case 'section': {
      const fields = Array.isArray(b.fields)
        ? `<div class="fields">${b.fields.map((f) => `<div>${mrkdwn(f?.text)}</div>`).join('')}</div>`
        : '';
      return `<div class="section">${b.text ? `<p>${mrkdwn(b.text.text)}</p>` : ''}${fields}</div>`;
    }
    case 'context': {
      const elements = Array.isArray(b.elements) ? (b.elements as Block[]) : [];
      return `<p class="context">${elements.map((e) => mrkdwn(e.text ?? `[${String(e.type)}]`)).join(' · ')}</p>`;
    }
    case 'actions': {
      const elements = Array.isArray(b.elements) ? (b.elements as Block[]) : [];
      return `<p>${elements.map((e) => `<span class="button">${escapeHtml(unSlack(String(e.text?.text ?? e.type)))}</span>`).join(' ')}</p>`;
    }
    default:
      return `<pre>${escapeHtml(cut(JSON.stringify(b, null, 2)))}</pre>`;
  }
}

/** Slack blocks as they arrived (a JSON string in the form body, or an array). */
function blocksOf(m: CapturedMessage): Block[] | undefined {
  if (m.provider !== 'slack') return undefined;
  let blocks = (m.raw as { blocks?: unknown } | null)?.blocks;
  if (typeof blocks === 'string') {
    try {
      blocks = JSON.parse(blocks) as unknown;
    } catch {
      return undefined;
    }
  }
  return Array.isArray(blocks) && blocks.length > 0 ? (blocks as Block[]) : undefined;
}

function slackBlocks(blocks: Block[]): string {
  return `<div class="blocks">${blocks.map((b) => block(typeof b === 'object' && b !== null ? b : {})).join('\n')}</div>
<details><summary>Blocks JSON</summary><pre>${escapeHtml(cut(JSON.stringify(blocks, null, 2)))}</pre></details>`;
}

function card(m: CapturedMessage, options: InboxOptions): string {
  const metadata = m.metadata ? Object.entries(m.metadata).map(([k, v]) => `${k}=${v}`) : undefined;
  const blocks = blocksOf(m);
  return `<article>
<header>${localTime(m.receivedAt, options.timeZone)} <code>${escapeHtml(m.id)}</code></header>
<table>${row('To', m.to)}${row('From', m.from)}${row('Cc', m.cc)}${row('Bcc', m.bcc)}${row('Reply-To', m.replyTo)}${row('Subject', m.subject)}${recordRow(m.notificationId, options.heraldUrl)}${row('Metadata', metadata)}</table>
${m.text === undefined ? '' : `<pre class="text">${escapeHtml(cut(m.text))}</pre>`}
${blocks === undefined ? '' : slackBlocks(blocks)}
${m.html === undefined ? '' : htmlBody(m.html)}
</article>`;
}

function section(
  provider: SimulatedProvider,
  messages: readonly CapturedMessage[],
  behaviour: ResolvedBehaviour,
  options: InboxOptions,
): string {
  const shown = messages.slice(0, SHOWN_PER_PROVIDER);
  const more = messages.length - shown.length;
  return `<section id="${provider}">
<h2>${provider} <small>${messages.length} message${messages.length === 1 ? '' : 's'} · behaviour: ${escapeHtml(behaviour.mode)}</small></h2>
${shown.length === 0 ? '<p class="empty">No messages yet.</p>' : shown.map((m) => card(m, options)).join('\n')}
${more > 0 ? `<p class="empty">…and ${more} older (see /_sandbox/messages?provider=${provider}).</p>` : ''}
</section>`;
}

/**
 * The sandbox inbox: what each provider received, newest first, reloading every two
 * seconds. Server-rendered with every value escaped and no script; HTML bodies render inside a
 * fully sandboxed frame (and as source), Slack blocks as Slack would roughly show them.
 */
export function renderInbox(
  messages: readonly CapturedMessage[],
  behaviours: Readonly<Record<SimulatedProvider, ResolvedBehaviour>>,
  options: InboxOptions = {},
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
iframe.html{width:100%;height:420px;border:1px solid #ddd;border-radius:4px;background:#fff}
.blocks{border-left:4px solid #611f69;padding:.25rem .75rem;margin:.5rem 0}.blocks h4{margin:.25rem 0}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:.25rem 1rem}.context{color:#666;font-size:.9em}
.button{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:.1rem .5rem}
</style>
</head>
<body>
<h1>Herald sandbox inbox</h1>
<p>What the simulated providers received: nothing here reached a real recipient. Newest first; this page reloads every 2 seconds.</p>
${SIMULATED_PROVIDERS.map((p) => section(p, byProvider(p), behaviours[p], options)).join('\n')}
</body>
</html>
`;
}
