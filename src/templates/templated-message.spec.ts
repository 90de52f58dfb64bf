import { HeraldError } from '../errors/herald-error';
import {
  DEFAULT_MESSAGE_LIMITS,
  notificationSchemas,
  parseOrThrow,
} from '../notifications/notification-message.schema';

const schemas = notificationSchemas(DEFAULT_MESSAGE_LIMITS);

function problems(schema: typeof schemas.message | typeof schemas.job, input: unknown) {
  try {
    parseOrThrow(schema, input);
  } catch (err) {
    expect(err).toBeInstanceOf(HeraldError);
    return (err as HeraldError).extra.errors;
  }
  throw new Error('expected the parse to fail');
}

describe('a message that names a template', () => {
  it.each([
    ['email', { channel: 'email', to: ['ada@example.com'], template: 'order-confirmation' }],
    ['sms', { channel: 'sms', to: '+14155550100', template: 'password-reset', locale: 'fr-CA' }],
    ['chat', { channel: 'chat', to: 'C0123456789', template: 'oncall-alert', data: { a: 1 } }],
  ])('is accepted for %s, by REST and queue schemas alike', (_, input) => {
    expect(parseOrThrow(schemas.message, input)).toEqual(input);
    expect(parseOrThrow(schemas.job, { ...input, idempotencyKey: 'k-1' })).toEqual({
      ...input,
      idempotencyKey: 'k-1',
    });
  });

  describe('when it is invalid', () => {
    it.each([schemas.message, schemas.job])(
      'names the fields of the templated form, not the content form',
      (schema) => {
        // A chat message without content is "text or blocks is required" in the content form:
        // the caller meant the templated one.
        expect(problems(schema, { channel: 'chat', to: 'C0123456789', template: 5 })).toEqual([
          { field: 'template', message: expect.stringMatching(/expected string/) },
        ]);
        expect(
          problems(schema, { channel: 'sms', to: '+1', template: 'Bad!', locale: 'x y' }),
        ).toEqual([
          { field: 'to', message: expect.stringMatching(/E\.164/) },
          { field: 'template', message: expect.stringMatching(/template name/) },
          { field: 'locale', message: expect.stringMatching(/language tag/) },
        ]);
      },
    );

    it('refuses content beside a template, naming each content field', () => {
      expect(
        problems(schemas.message, {
          channel: 'email',
          to: ['ada@example.com'],
          template: 'order-confirmation',
          subject: 'Hi',
          html: '<p>Hi</p>',
        }),
      ).toEqual([
        { field: 'subject', message: 'cannot be combined with template' },
        { field: 'html', message: 'cannot be combined with template' },
      ]);
    });

    it('still reports a message with content in its own terms', () => {
      expect(problems(schemas.message, { channel: 'chat', to: 'C0123456789' })).toEqual([
        { field: 'text', message: 'text or blocks is required' },
      ]);
      expect(
        problems(schemas.message, { channel: 'email', to: ['nope'], subject: 'x', text: 'y' }),
      ).toEqual([{ field: 'to.0', message: 'must be an e-mail address' }]);
    });

    it('counts recipients across to, cc and bcc as a message with content does', () => {
      const to = Array.from({ length: 30 }, (_, i) => `a${i}@example.com`);
      expect(
        problems(schemas.message, {
          channel: 'email',
          to,
          cc: to,
          template: 'order-confirmation',
        }),
      ).toEqual([{ field: 'to', message: expect.stringMatching(/together hold 60 addresses/) }]);
    });
  });
});
