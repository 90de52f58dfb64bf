import { hash } from 'node:crypto';

/** An array or object being written: its values (an object's by its sorted keys) and the next one. */
interface Frame {
  /** An array's values, or an object's (read by key). */
  readonly values: readonly unknown[] | Readonly<Record<string, unknown>>;
  /** An object's keys, sorted; undefined for an array. */
  readonly keys: readonly string[] | undefined;
  next: number;
  /** Whether a value has been written yet (an object's undefined values are left out). */
  written: boolean;
}

/**
 * JSON with object keys sorted at every level, so two bodies that differ only in key order
 * have the same fingerprint. Hand-written because the inputs are already-parsed JSON values
 * (no Dates, Maps or cycles). Iterative, with its own stack of the arrays and objects open:
 * a body nested thousands deep cannot overflow the call stack, whatever its caller checked
 * first. Every request with an Idempotency-Key pays for it, so it allocates one frame and one
 * array of keys per array or object, and appends to one string (no list of pieces to join).
 */
export function canonicalJson(value: unknown): string {
  let out = '';
  const stack: Frame[] = [];
  let current = value;
  for (;;) {
    if (Array.isArray(current)) {
      out += '[';
      stack.push({ values: current, keys: undefined, next: 0, written: false });
    } else if (current !== null && typeof current === 'object') {
      out += '{';
      const object = current as Record<string, unknown>;
      stack.push({ values: object, keys: Object.keys(object).sort(), next: 0, written: false });
    } else {
      // `?? ''`: a lone undefined writes nothing (JSON.stringify gives no text for it).
      out += JSON.stringify(current) ?? '';
    }
    // The next value to write, closing the arrays and objects it finishes.
    for (;;) {
      const frame = stack[stack.length - 1];
      if (frame === undefined) return out;
      const { keys } = frame;
      let i = frame.next;
      if (keys === undefined) {
        const values = frame.values as readonly unknown[];
        if (i < values.length) {
          if (i > 0) out += ',';
          current = values[i] ?? null;
          frame.next = i + 1;
          break;
        }
        out += ']';
      } else {
        const object = frame.values as Readonly<Record<string, unknown>>;
        while (i < keys.length && object[keys[i]!] === undefined) i++;
        if (i < keys.length) {
          if (frame.written) out += ',';
          const key = keys[i]!;
          out += `${JSON.stringify(key)}:`;
          current = object[key];
          frame.next = i + 1;
          frame.written = true;
          break;
        }
        out += '}';
      }
      stack.pop();
    }
  }
}

/**
 * SHA-256 (hex) of the canonical JSON of a parsed body: what an idempotency key remembers.
 * One-shot `hash`: the same digest as a Hash object's, without building one per request.
 */
export function fingerprint(value: unknown): string {
  return hash('sha256', canonicalJson(value), 'hex');
}
