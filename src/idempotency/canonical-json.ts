import { createHash } from 'node:crypto';

/** An array or object being written: its values (an object's sorted by key) and the next one. */
interface Frame {
  readonly values: readonly unknown[];
  /** An object's keys, sorted; undefined for an array. */
  readonly keys: readonly string[] | undefined;
  next: number;
}

/**
 * JSON with object keys sorted at every level, so two bodies that differ only in key order
 * have the same fingerprint. Hand-written because the inputs are already-parsed JSON values
 * (no Dates, Maps or cycles). Iterative, with its own stack of the arrays and objects open:
 * a body nested thousands deep cannot overflow the call stack, whatever its caller checked
 * first. Every request with an Idempotency-Key pays for it, so it allocates one frame per
 * array or object and nothing per value.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  let current = value;
  for (;;) {
    if (Array.isArray(current)) {
      out.push('[');
      stack.push({ values: current, keys: undefined, next: 0 });
    } else if (current !== null && typeof current === 'object') {
      const object = current as Record<string, unknown>;
      const keys = Object.keys(object)
        .filter((k) => object[k] !== undefined)
        .sort();
      out.push('{');
      stack.push({ values: keys.map((k) => object[k]), keys, next: 0 });
    } else {
      out.push(JSON.stringify(current));
    }
    // The next value to write, closing the arrays and objects it finishes.
    for (;;) {
      const frame = stack[stack.length - 1];
      if (frame === undefined) return out.join('');
      const i = frame.next;
      if (i < frame.values.length) {
        if (i > 0) out.push(',');
        if (frame.keys !== undefined) out.push(`${JSON.stringify(frame.keys[i])}:`);
        current = frame.values[i] ?? null;
        frame.next = i + 1;
        break;
      }
      out.push(frame.keys === undefined ? ']' : '}');
      stack.pop();
    }
  }
}

/** SHA-256 (hex) of the canonical JSON of a parsed body: what an idempotency key remembers. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
