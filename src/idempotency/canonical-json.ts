import { createHash } from 'node:crypto';

type Frame =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'text'; readonly text: string };

/**
 * JSON with object keys sorted at every level, so two bodies that differ only in key order
 * have the same fingerprint. Hand-written because the inputs are already-parsed JSON values
 * (no Dates, Maps or cycles). Iterative, with its own stack: a body nested thousands deep
 * cannot overflow the call stack, whatever its caller checked first.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [{ kind: 'value', value }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.kind === 'text') {
      out.push(frame.text);
      continue;
    }
    const v = frame.value;
    if (Array.isArray(v)) {
      // Pushed in reverse: the stack pops them in order.
      const parts: Frame[] = [{ kind: 'text', text: '[' }];
      v.forEach((item, i) => {
        if (i > 0) parts.push({ kind: 'text', text: ',' });
        parts.push({ kind: 'value', value: item ?? null });
      });
      parts.push({ kind: 'text', text: ']' });
      for (let i = parts.length - 1; i >= 0; i -= 1) stack.push(parts[i]!);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const parts: Frame[] = [{ kind: 'text', text: '{' }];
      entries.forEach(([k, x], i) => {
        parts.push({ kind: 'text', text: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` });
        parts.push({ kind: 'value', value: x });
      });
      parts.push({ kind: 'text', text: '}' });
      for (let i = parts.length - 1; i >= 0; i -= 1) stack.push(parts[i]!);
    } else {
      out.push(JSON.stringify(v));
    }
  }
  return out.join('');
}

/** SHA-256 (hex) of the canonical JSON of a parsed body: what an idempotency key remembers. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
