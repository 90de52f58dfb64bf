import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { notificationJsonSchema } from './notification-json-schema';
import { DEFAULT_MESSAGE_LIMITS } from './notification-message.schema';

const COMMITTED = join(__dirname, '..', '..', 'schemas', 'notification.schema.json');

describe(notificationJsonSchema.name, () => {
  it('matches the committed schemas/notification.schema.json (run `npm run schema:export`)', () => {
    const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as unknown;
    expect(committed).toEqual(notificationJsonSchema(DEFAULT_MESSAGE_LIMITS));
  });

  it('refuses unknown fields in every channel, as the zod schema does', () => {
    const schema = notificationJsonSchema(DEFAULT_MESSAGE_LIMITS) as {
      oneOf: { additionalProperties: unknown; properties: { channel: { const: string } } }[];
    };
    expect(schema.oneOf.map((s) => s.properties.channel.const)).toEqual(['email', 'sms', 'chat']);
    expect(schema.oneOf.every((s) => s.additionalProperties === false)).toBe(true);
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
