import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020';
import { notificationJsonSchema } from './notification-json-schema';
import { DEFAULT_MESSAGE_LIMITS, notificationSchemas } from './notification-message.schema';

const COMMITTED = join(__dirname, '..', '..', 'schemas', 'notification.schema.json');

describe(notificationJsonSchema.name, () => {
  it('matches the committed schemas/notification.schema.json (run `npm run schema:export`)', () => {
    const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as unknown;
    expect(committed).toEqual(notificationJsonSchema(DEFAULT_MESSAGE_LIMITS));
  });

  it('refuses unknown fields in every channel of both forms, as the zod schema does', () => {
    const schema = notificationJsonSchema(DEFAULT_MESSAGE_LIMITS) as {
      oneOf: {
        additionalProperties: unknown;
        properties: { channel: { const: string }; template?: unknown };
      }[];
    };
    expect(
      schema.oneOf.map((s) => [s.properties.channel.const, s.properties.template !== undefined]),
    ).toEqual([
      ['email', false],
      ['sms', false],
      ['chat', false],
      ['email', true],
      ['sms', true],
      ['chat', true],
    ]);
    expect(schema.oneOf.every((s) => s.additionalProperties === false)).toBe(true);
  });

  it('takes content or a template, never both', () => {
    const validate = new Ajv2020({ strict: false }).compile(
      notificationJsonSchema(DEFAULT_MESSAGE_LIMITS),
    );
    const envelope = { channel: 'email', to: ['ada@example.com'] };
    const template = { template: 'order-confirmation', locale: 'fr', data: { order: {} } };
    expect(validate({ ...envelope, subject: 'Hi', text: 'Hello' })).toBe(true);
    expect(validate({ ...envelope, ...template })).toBe(true);
    expect(validate({ ...envelope, ...template, subject: 'Hi' })).toBe(false);
    expect(validate({ channel: 'sms', to: '+14155550100', template: 'password-reset' })).toBe(true);
    expect(validate(envelope)).toBe(false);
  });

  it('carries the limits it is given', () => {
    const schema = JSON.stringify(
      notificationJsonSchema({
        maxRecipients: 7,
        maxSubjectChars: 77,
        maxBodyBytes: 777,
        maxScheduleAheadSeconds: 60,
      }),
    );
    expect(schema).toContain('"maxItems":7');
    expect(schema).toContain('"maxLength":77');
    expect(schema).toContain('777 bytes');
  });
});

const FUTURE = '2099-01-01T00:00:00Z';

describe('the published schema and the validator', () => {
  const limits = {
    maxRecipients: 3,
    maxSubjectChars: 20,
    maxBodyBytes: 12,
    maxScheduleAheadSeconds: 60,
  };
  const ajv = new Ajv2020({ strict: true, strictRequired: false, validateFormats: false });
  const schemaAllows = ajv.compile(notificationJsonSchema(limits));
  const validatorAllows = (m: unknown) => notificationSchemas(limits).job.safeParse(m).success;
  const email = { channel: 'email', to: ['a@example.com'], subject: 'Hi', text: 'x' };
  const chat = { channel: 'chat', to: 'C0123456789', text: 'x' };
  const sms = { channel: 'sms', to: '+14155550100', text: 'x' };

  it.each([
    ['a plain e-mail', email, true],
    ['e-mail with html only', { ...email, text: undefined, html: '<p>x</p>' }, true],
    ['e-mail with neither text nor html', { ...email, text: undefined }, false],
    ['a subject of two lines', { ...email, subject: 'Hi\nthere' }, false],
    ['a subject ending in CR', { ...email, subject: 'Hi\r' }, false],
    ['a subject at its maxLength', { ...email, subject: 's'.repeat(20) }, true],
    ['a subject over its maxLength', { ...email, subject: 's'.repeat(21) }, false],
    ['a provider listed twice', { ...email, providers: ['ses', 'ses'] }, false],
    ['distinct providers', { ...email, providers: ['ses', 'mailgun'] }, true],
    ['20 metadata entries', { ...sms, metadata: entries(20) }, true],
    ['21 metadata entries', { ...sms, metadata: entries(21) }, false],
    ['chat with neither text nor blocks', { ...chat, text: undefined }, false],
    ['chat with an empty blocks list only', { ...chat, text: undefined, blocks: [] }, false],
    ['chat with one block only', { ...chat, text: undefined, blocks: [{ type: 'divider' }] }, true],
    [
      'text over maxLength',
      { ...sms, channel: 'chat', to: 'C0123456789', text: 'x'.repeat(13) },
      false,
    ],
    ['an unknown field', { ...sms, colour: 'red' }, false],
    [
      'a __proto__ field',
      JSON.parse(`{"__proto__":{"a":1},${JSON.stringify(sms).slice(1)}`),
      false,
    ],
    [
      'a __proto__ metadata key',
      JSON.parse(`${JSON.stringify(sms).slice(0, -1)},"metadata":{"__proto__":"x"}}`),
      false,
    ],
    [
      'a __proto__ key in a block',
      JSON.parse(
        `${JSON.stringify(chat).slice(0, -1)},"blocks":[{"type":"divider","__proto__":{}}]}`,
      ),
      false,
    ],
    [
      'a __proto__ key deeper in a block',
      JSON.parse(
        `${JSON.stringify(chat).slice(0, -1)},"blocks":[{"type":"section","text":{"__proto__":{}}}]}`,
      ),
      true,
    ],
    ['an SMS falling back to a chat message', { ...sms, fallback: [chat] }, true],
    [
      'a templated fallback step with a deadline',
      {
        ...chat,
        fallback: [{ channel: 'sms', to: '+14155550100', template: 'oncall-alert' }],
        fallbackAfterSeconds: 30,
      },
      true,
    ],
    ['fallbackAfterSeconds without fallback', { ...chat, fallbackAfterSeconds: 30 }, false],
    ['fallbackAfterSeconds of 0', { ...chat, fallback: [sms], fallbackAfterSeconds: 0 }, false],
    ['an empty fallback', { ...chat, fallback: [] }, false],
    ['four fallback steps', { ...chat, fallback: [sms, sms, sms, sms] }, false],
    ['a nested fallback', { ...chat, fallback: [{ ...sms, fallback: [email] }] }, false],
    ['a fallback step with sendAt', { ...chat, fallback: [{ ...sms, sendAt: FUTURE }] }, false],
    ['an invalid fallback step', { ...chat, fallback: [{ ...sms, to: '12345' }] }, false],
  ])('agree on %s', (_, message, allowed) => {
    // As a body arrives: `undefined` fields gone, a `__proto__` key kept as an own property.
    const m = JSON.parse(JSON.stringify(message)) as unknown;
    expect({ schema: schemaAllows(m), validator: validatorAllows(m) }).toEqual({
      schema: allowed,
      validator: allowed,
    });
  });

  it.each([
    [
      'to, cc and bcc over the total',
      { ...email, cc: ['b@example.com'], bcc: ['c@example.com', 'd@example.com'] },
    ],
    ['text within maxLength but over its bytes', { ...email, text: 'é'.repeat(7) }],
    ['an SMS of 801 emoji: 801 characters, 1,602 UTF-16 units', { ...sms, text: '😀'.repeat(801) }],
    [
      'metadata within its counts but over 8,192 bytes as JSON',
      { ...sms, metadata: Object.fromEntries(range(20).map((i) => [`k${i}`, 'é'.repeat(256)])) },
    ],
  ])('the validator alone refuses %s, a rule the description states', (_, message) => {
    expect(schemaAllows(message)).toBe(true);
    expect(validatorAllows(message)).toBe(false);
  });

  it('states in its description the rules JSON Schema cannot', () => {
    const { description } = notificationJsonSchema(limits) as { description: string };
    expect(description).toContain('to, cc and bcc together hold at most 3 addresses');
    expect(description).toContain('at most 12 bytes of UTF-8');
    expect(description).toContain('at most 1600 UTF-16 code units');
    expect(description).toContain('a chat text at most 40000');
    expect(description).toContain('metadata is at most 8192 bytes as JSON');
  });

  it('publishes examples the validator accepts', () => {
    const schema = notificationJsonSchema(DEFAULT_MESSAGE_LIMITS) as {
      oneOf: { examples?: unknown[] }[];
    };
    const examples = schema.oneOf.flatMap((s) => s.examples ?? []);
    expect(examples).toHaveLength(3);
    const job = notificationSchemas(DEFAULT_MESSAGE_LIMITS).job;
    for (const example of examples) expect(job.safeParse(example).success).toBe(true);
  });
});

function entries(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
