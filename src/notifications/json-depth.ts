import { HeraldError } from '../errors/herald-error';

/**
 * Deepest nesting of arrays and objects a message may have, the message object itself being
 * level 1. Slack's richest blocks nest about ten levels; nothing Herald sends needs more. Deeper
 * input is refused at intake, before any code that walks it recursively (a validator, a
 * channel's SDK) can run out of stack on it.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Throws `validation_failed` naming the top-level field under which `value` nests deeper than
 * `limit` levels. Walks with its own stack, so any depth is safe to check.
 */
export function assertJsonDepth(value: unknown, limit = MAX_JSON_DEPTH): void {
  const stack: { value: unknown; depth: number; field: string }[] = [
    { value, depth: 1, field: '' },
  ];
  while (stack.length > 0) {
    const { value: v, depth, field } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) {
      throw new HeraldError('validation_failed', `Invalid field: ${field}.`, {
        errors: [{ field, message: `is nested deeper than ${limit} levels` }],
      });
    }
    // Every request walks its body: no entry pairs, and nothing pushed for a string or number.
    const object = v as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const child = object[key];
      if (child !== null && typeof child === 'object') {
        stack.push({ value: child, depth: depth + 1, field: field === '' ? key : field });
      }
    }
  }
}
