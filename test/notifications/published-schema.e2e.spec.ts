import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import fc from 'fast-check';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';
import {
  type Edit,
  type JsonSchema,
  boundaryEdits,
  valuesOf,
} from '../support/json-schema-arbitrary';
import { type Answer, post, request } from './notification-requests';

/** Random messages after the boundary table; the whole spec stays well under a minute. */
const RANDOM_RUNS = 200;
const MAX_RECIPIENTS = 4;
const MAX_BODY_BYTES = 300;
const MAX_SMS_UNITS = 1600;
const MAX_CHAT_TEXT_UNITS = 40_000;
const MAX_METADATA_JSON_BYTES = 8_192;
const MAX_SCHEDULE_AHEAD_SECONDS = 3_600;

type Message = Record<string, unknown>;
type Verdict =
  | { readonly status: 202 }
  | { readonly status: 422 }
  | { readonly status: 400; readonly fields: string[] };

/** A branch of the schema's oneOf: a channel's content form, or its templated form. */
const formOf = (m: Message) =>
  `${String(m.channel)}${Object.hasOwn(m, 'template') ? ' template' : ''}`;
const branchForm = (b: JsonSchema) =>
  `${String(b.properties!.channel!.const)}${b.properties!.template ? ' template' : ''}`;

/**
 * Feeds the published schema's examples, every boundary its keywords name and random messages
 * derived from it to a real Herald, and holds Herald to it: what the schema allows is accepted
 * (202), what it forbids is refused (400 naming the field). The rules JSON Schema cannot state
 * are those its descriptions give, checked here by hand; nothing else may differ.
 */
describe('the published message schema, held against the API', () => {
  let herald: RunningHerald;
  let schema: JsonSchema;
  let branches: Map<string, { schema: JsonSchema; validate: ValidateFunction }>;
  let validateMessage: ValidateFunction;

  beforeAll(async () => {
    herald = await startReadyHerald(
      testEnv({
        // No templates: a templated message the schema allows names an unknown one (422).
        HERALD_TEMPLATES_DIR: mkdtempSync(join(tmpdir(), 'herald-no-templates-')),
        HERALD_ROLE: 'api',
        HERALD_MAX_RECIPIENTS: String(MAX_RECIPIENTS),
        HERALD_MAX_SUBJECT_CHARS: '30',
        HERALD_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
        HERALD_MAX_SCHEDULE_AHEAD_SECONDS: String(MAX_SCHEDULE_AHEAD_SECONDS),
      }),
    );
    const doc = (await request(`${herald.url}/docs/json`)).body as {
      components: { schemas: { NotificationMessage: JsonSchema } };
    };
    schema = doc.components.schemas.NotificationMessage;
    const ajv = new Ajv2020({
      strict: true,
      strictRequired: false,
      validateFormats: false,
      allErrors: true,
    });
    validateMessage = ajv.compile(schema);
    branches = new Map(
      (schema.oneOf ?? []).map((b) => [branchForm(b), { schema: b, validate: ajv.compile(b) }]),
    );
  });
  afterAll(() => herald?.close());

  /** What Herald must answer: the schema's verdict, then the rules its descriptions state. */
  function verdictOf(message: Message): Verdict {
    const branch = branches.get(formOf(message));
    if (!branch) return { status: 400, fields: ['channel'] };
    if (!branch.validate(message))
      return { status: 400, fields: fieldsOf(branch.validate.errors ?? []) };
    const described = describedRules(message);
    if (described.length > 0) return { status: 400, fields: described };
    // Herald has no templates here: a templated message, or fallback step, names an unknown one.
    const steps = Array.isArray(message.fallback) ? (message.fallback as Message[]) : [];
    return [message, ...steps].some((m) => Object.hasOwn(m, 'template'))
      ? { status: 422 }
      : { status: 202 };
  }

  /** Asserts Herald's answer to one message; returns the status it answered. */
  async function expectVerdict(message: Message, label: string): Promise<number> {
    const verdict = verdictOf(message);
    // The whole schema (oneOf) and the branch of the message's channel agree.
    expect(validateMessage(message), label).toBe(
      branches.get(formOf(message))?.validate(message) ?? false,
    );
    const answer = await post(`${herald.url}/v1/notifications`, message);
    if (verdict.status === 202) {
      expect({ label, status: answer.status, body: answer.body }).toMatchObject({ status: 202 });
      return 202;
    }
    if (verdict.status === 422) {
      expect({ label, status: answer.status, code: answer.body.code }).toEqual({
        label,
        status: 422,
        code: 'template_not_found',
      });
      return 422;
    }
    expect({ label, status: answer.status, code: answer.body.code }).toEqual({
      label,
      status: 400,
      code: 'validation_failed',
    });
    const named = fieldsNamed(answer);
    expect(
      named.some((f) => verdict.fields.includes(f)),
      `${label}: Herald named ${named.join(', ')}; the schema ${verdict.fields.join(', ')}`,
    ).toBe(true);
    return 400;
  }

  it('publishes one example per channel, and Herald accepts each', async () => {
    const examples = (schema.oneOf ?? []).flatMap((b) => (b.examples ?? []) as Message[]);
    expect(examples.map((e) => e.channel)).toEqual(['email', 'sms', 'chat']);
    for (const example of examples) {
      expect(verdictOf(example)).toEqual({ status: 202 });
      await expectVerdict(example, `the ${String(example.channel)} example`);
    }
  });

  it('answers every boundary of every field as the schema says', async () => {
    const answered: number[] = [];
    for (const branch of schema.oneOf ?? []) {
      for (const example of (branch.examples ?? []) as Message[]) {
        for (const edit of boundaryEdits(branch)) {
          const label = `${String(example.channel)} ${edit.label}`;
          answered.push(await expectVerdict(edit.apply(example), label));
        }
      }
    }
    // 422: a fallback step at its bound may be a templated one (Herald has no templates here).
    expect(new Set(answered)).toEqual(new Set([202, 400, 422]));
  });

  it('answers messages generated from the schema, and edits of them, as the schema says', async () => {
    const edits: fc.Arbitrary<Edit | undefined> = fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom(...(schema.oneOf ?? []).flatMap(boundaryEdits)) },
    );
    const answered: number[] = [];
    await fc.assert(
      fc.asyncProperty(valuesOf(schema), edits, async (generated, edit) => {
        const message = edit ? edit.apply(generated as Message) : (generated as Message);
        const label = edit ? `a generated message, ${edit.label}` : 'a generated message';
        answered.push(await expectVerdict(message, label));
      }),
      // Seeded: whether a draw holds an accepted message at all varies with the seed (since a
      // message may carry fallback steps, most generated ones are refused), and the coverage
      // check below must not depend on luck.
      { numRuns: RANDOM_RUNS, seed: 20_261_201 },
    );
    expect(answered).toHaveLength(RANDOM_RUNS);
    expect(new Set(answered)).toEqual(new Set([202, 400, 422]));
  });

  it('publishes the same message for the queue, plus idempotencyKey', async () => {
    const job = (await request(`${herald.url}/v1/schema/notification.json`)).body as JsonSchema;
    const withoutKey = (job.oneOf ?? []).map(({ properties, ...rest }) => {
      const { idempotencyKey: _key, ...others } = properties ?? {};
      return { ...rest, properties: others };
    });
    expect(withoutKey).toEqual(schema.oneOf);
  });
});

/** The fields an ajv verdict is about, named as Herald names them (`to.0`, `metadata.k`). */
function fieldsOf(errors: ErrorObject[]): string[] {
  return errors.map((e) => {
    const path = e.instancePath.split('/').slice(1);
    if (e.keyword === 'required')
      path.push((e.params as { missingProperty: string }).missingProperty);
    // Herald names the property that needs the missing one (fallbackAfterSeconds).
    if (e.keyword === 'dependentRequired') path.push((e.params as { property: string }).property);
    if (e.keyword === 'additionalProperties')
      path.push((e.params as { additionalProperty: string }).additionalProperty);
    if (e.propertyName !== undefined) path.push(e.propertyName);
    return path.join('.') || '(body)';
  });
}

/** The rules the schema's descriptions state and JSON Schema cannot, of the message and its steps. */
function describedRules(m: Message): string[] {
  const steps = Array.isArray(m.fallback) ? (m.fallback as Message[]) : [];
  return [
    ...describedRulesOf(m),
    ...steps.flatMap((step, i) => describedRulesOf(step).map((f) => `fallback.${i}.${f}`)),
  ];
}

function describedRulesOf(m: Message): string[] {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0);
  const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  const broken: string[] = [];
  if (m.channel === 'email' && count(m.to) + count(m.cc) + count(m.bcc) > MAX_RECIPIENTS)
    broken.push('to');
  if (m.channel !== 'sms' && bytes(m.text) > MAX_BODY_BYTES) broken.push('text');
  if (bytes(m.html) > MAX_BODY_BYTES) broken.push('html');
  if (m.channel === 'sms' && typeof m.text === 'string' && m.text.length > MAX_SMS_UNITS)
    broken.push('text');
  if (m.channel === 'chat' && typeof m.text === 'string' && m.text.length > MAX_CHAT_TEXT_UNITS)
    broken.push('text');
  if (m.metadata !== undefined && bytes(JSON.stringify(m.metadata)) > MAX_METADATA_JSON_BYTES)
    broken.push('metadata');
  // Relative to the clock when Herald accepts it. Generated times spread over ten millennia: the
  // chance that one lands within a second of either end of the window is negligible.
  if (typeof m.sendAt === 'string') {
    const at = Date.parse(m.sendAt);
    if (!(at > Date.now() && at <= Date.now() + MAX_SCHEDULE_AHEAD_SECONDS * 1000))
      broken.push('sendAt');
  }
  return broken;
}

function fieldsNamed(answer: Answer): string[] {
  return ((answer.body.errors ?? []) as { field: string }[]).map((e) => e.field);
}
