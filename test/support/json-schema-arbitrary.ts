import fc from 'fast-check';

/** The JSON Schema keywords Herald's published message schema uses (draft 2020-12). */
export interface JsonSchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly propertyNames?: JsonSchema;
  readonly maxProperties?: number;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly dependentRequired?: Readonly<Record<string, readonly string[]>>;
  readonly examples?: readonly unknown[];
}

/** Characters of 1, 2 and 4 bytes of UTF-8 (1, 1 and 2 UTF-16 units): one length to JSON Schema. */
const WIDTHS = ['x', 'é', '😀'] as const;

/** fast-check cannot generate lookaheads; a value the lookahead forbids is judged by ajv anyway. */
const generable = (pattern: string) => new RegExp(pattern.replace(/^\^\(\?![^)]*\)/, '^'));

/**
 * Values of a schema, derived from its keywords: mostly valid, as often at a bound (`maxLength`,
 * `maxItems`, `maxProperties`) as in between. Not always valid (an object may miss what an
 * `anyOf` asks); the caller judges each value with a validator, not this generator.
 */
export function valuesOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map(valuesOf));
  // An `anyOf` of whole alternatives (not one beside an object's properties, which only names
  // what the object requires): a value of any of them.
  if (schema.anyOf && !schema.properties) return fc.oneof(...schema.anyOf.map(valuesOf));
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'string':
      return stringsOf(schema);
    case 'array':
      return arraysOf(schema);
    case 'object':
      return objectsOf(schema);
    case 'integer': {
      const min = schema.minimum ?? -1_000;
      const max = schema.maximum ?? 1_000;
      return fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min, max }) },
        { weight: 1, arbitrary: fc.constantFrom(min, max) },
      );
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringsOf(schema: JsonSchema): fc.Arbitrary<string> {
  const { minLength = 0, maxLength } = schema;
  const pattern = schema.pattern === undefined ? undefined : generable(schema.pattern);
  const between = pattern
    ? fc.stringMatching(pattern)
    : fc.string({ unit: 'grapheme', minLength, maxLength: Math.min(maxLength ?? 40, 40) });
  const atBound = WIDTHS.map((c) => c.repeat(maxLength ?? 0)).filter(
    (v) => !pattern || pattern.test(v),
  );
  if (maxLength === undefined || atBound.length === 0) return between;
  return fc.oneof(
    { weight: 3, arbitrary: between },
    { weight: 1, arbitrary: fc.constantFrom(...atBound) },
  );
}

function arraysOf(schema: JsonSchema): fc.Arbitrary<unknown[]> {
  const item = valuesOf(schema.items ?? {});
  const min = schema.minItems ?? 0;
  const max = schema.maxItems ?? schema.items?.enum?.length ?? 4;
  const of = (minLength: number, maxLength: number) =>
    schema.uniqueItems
      ? fc.uniqueArray(item, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
      : fc.array(item, { minLength, maxLength });
  return fc.oneof(
    { weight: 3, arbitrary: of(min, Math.min(max, min + 2)) },
    { weight: 1, arbitrary: of(max, max) },
  );
}

function objectsOf(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const { properties = {}, additionalProperties } = schema;
  if (Object.keys(properties).length === 0 && typeof additionalProperties === 'object') {
    const keys = valuesOf({ type: 'string', ...schema.propertyNames }) as fc.Arbitrary<string>;
    const values = valuesOf(additionalProperties);
    const max = schema.maxProperties ?? 4;
    return fc.oneof(
      { weight: 3, arbitrary: fc.dictionary(keys, values, { maxKeys: Math.min(max, 3) }) },
      { weight: 1, arbitrary: fc.dictionary(keys, values, { minKeys: max, maxKeys: max }) },
    );
  }
  const model = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, valuesOf(v)]));
  const records = fc.record(model, { requiredKeys: [...(schema.required ?? [])] });
  const dependencies = Object.entries(schema.dependentRequired ?? {});
  if (dependencies.length === 0) return records;
  // A property whose companions are missing is left out too (the edits take them apart).
  return records.map((r) =>
    Object.fromEntries(
      Object.entries(r).filter(([k]) =>
        dependencies.every(([key, needs]) => k !== key || needs.every((n) => n in r)),
      ),
    ),
  );
}

/** One change to a message, named for the test's report. */
export interface Edit {
  readonly label: string;
  apply(message: Readonly<Record<string, unknown>>): Record<string, unknown>;
}

const set = (label: string, field: string, value: unknown): Edit => ({
  label,
  apply: (m) => ({ ...m, [field]: value }),
});

/**
 * Every boundary an object schema's keywords name, each as an edit of a valid message: for each
 * property, the value at its bound and one past it (lengths in 1-, 2- and 4-byte characters;
 * items; entries), an empty value under a minimum, a duplicate item, a broken
 * pattern, a value outside an enum or const, the wrong type, the property left out; an unknown
 * property; and each `anyOf` alternative's fields left out together.
 */
export function boundaryEdits(schema: JsonSchema): Edit[] {
  const edits: Edit[] = [];
  for (const [field, property] of Object.entries(schema.properties ?? {})) {
    edits.push({
      label: `without ${field}`,
      apply: (m) => Object.fromEntries(Object.entries(m).filter(([k]) => k !== field)),
    });
    edits.push(set(`${field} of the wrong type`, field, property.type === 'string' ? 42 : 'x'));
    if ('const' in property || property.enum) edits.push(set(`${field} unknown`, field, 'fax'));
    const { minLength, maxLength, pattern, minItems, maxItems, maxProperties } = property;
    if (maxLength !== undefined) {
      for (const c of WIDTHS) {
        edits.push(set(`${field} of ${maxLength} × ${c}`, field, c.repeat(maxLength)));
        edits.push(set(`${field} of ${maxLength + 1} × ${c}`, field, c.repeat(maxLength + 1)));
      }
    }
    if (minLength) edits.push(set(`${field} empty`, field, ''));
    if (pattern)
      edits.push({
        label: `${field} of two lines`,
        apply: (m) => ({ ...m, [field]: `${sample(m[field], property)}\nx` }),
      });
    if (property.type === 'array') {
      const items = fc.sample(valuesOf(property.items ?? {}), { numRuns: 60, seed: 7 });
      const distinct = [...new Map(items.map((v) => [JSON.stringify(v), v])).values()];
      if (minItems) edits.push(set(`${field} empty`, field, []));
      if (maxItems !== undefined) {
        edits.push(set(`${field} of ${maxItems} items`, field, distinct.slice(0, maxItems)));
        edits.push(
          set(`${field} of ${maxItems + 1} items`, field, distinct.slice(0, maxItems + 1)),
        );
      }
      // Whether the schema says uniqueItems or not: a duplicate is a boundary either way.
      edits.push(set(`${field} twice the same`, field, [distinct[0], distinct[0]]));
    }
    if (maxProperties !== undefined) {
      const entries = (n: number) =>
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
      edits.push(set(`${field} of ${maxProperties} entries`, field, entries(maxProperties)));
      edits.push(
        set(`${field} of ${maxProperties + 1} entries`, field, entries(maxProperties + 1)),
      );
    }
  }
  if (schema.additionalProperties === false) edits.push(set('an unknown field', 'colour', 'red'));
  const alternatives = (schema.anyOf ?? []).flatMap((a) => a.required ?? []);
  if (alternatives.length > 0) {
    edits.push({
      label: `without ${alternatives.join(' and ')}`,
      apply: (m) =>
        Object.fromEntries(Object.entries(m).filter(([k]) => !alternatives.includes(k))),
    });
  }
  return edits;
}

/** The message's own value when it is a string, else one the schema generates. */
function sample(value: unknown, schema: JsonSchema): string {
  if (typeof value === 'string') return value;
  return fc.sample(valuesOf(schema), { numRuns: 1, seed: 7 })[0] as string;
}
