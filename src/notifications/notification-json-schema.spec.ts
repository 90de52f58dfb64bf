import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { notificationJsonSchema } from './notification-json-schema';
import { DEFAULT_MESSAGE_LIMITS } from './notification-message.schema';

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
      notificationJsonSchema({ maxRecipients: 7, maxSubjectChars: 77, maxBodyBytes: 777 }),
    );
    expect(schema).toContain('"maxItems":7');
    expect(schema).toContain('"maxLength":77');
    expect(schema).toContain('777 bytes');
  });
});
