import { classes } from '@sendgrid/helpers';
import type { MailDataRequired } from '@sendgrid/mail';
import type { EmailMessage } from '../notifications/notification-message.schema';
import { ChannelError } from './channel-error';
import { distinctRecipients } from './distinct-recipients';
import { customFields } from './provider-channel';
import { sendgridMailBody } from './sendgrid-mail-body';

const ID = 'ntf_01HZX3K9Q7Y2B5C8D4E6F0G1H2';
const DEFAULT_FROM = 'herald@sandbox.herald.test';

/** The JSON body @sendgrid/mail's `MailService.send` posts for the data Herald gave it. */
function sdkBody(message: EmailMessage, defaultFrom: string | undefined): string {
  const { to, cc, bcc } = distinctRecipients(message);
  const data = {
    from: message.from ?? defaultFrom,
    personalizations: [
      {
        to,
        ...(cc.length > 0 ? { cc } : {}),
        ...(bcc.length > 0 ? { bcc } : {}),
        customArgs: customFields(message, ID),
      },
    ],
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    subject: message.subject,
    ...(message.text === undefined ? {} : { text: message.text }),
    ...(message.html === undefined ? {} : { html: message.html }),
    // What MailService.send adds before it builds the Mail.
    isMultiple: false,
    substitutionWrappers: ['{{', '}}'],
  } as unknown as MailDataRequired;
  return JSON.stringify(classes.Mail.create(data).toJSON());
}

const email = (o: Partial<EmailMessage> = {}): EmailMessage => ({
  channel: 'email',
  to: ['ada@example.com'],
  subject: 'Your order shipped',
  text: 'It is on its way.',
  ...o,
});

describe(sendgridMailBody.name, () => {
  const cases: Record<string, { message: EmailMessage; defaultFrom?: string }> = {
    'a text message from the default sender': { message: email() },
    'every optional field set': {
      message: email({
        to: ['ada@example.com', 'grace@example.com'],
        from: 'orders@example.com',
        html: '<p>It is on its <b>way</b>.</p>',
        cc: ['linus@example.com'],
        bcc: ['audit@example.com'],
        replyTo: 'support@example.com',
        metadata: { orderId: '123', tenant: 'acme' },
      }),
    },
    'html alone': { message: email({ text: undefined, html: '<p>hi</p>' }) },
    'no content at all': { message: email({ text: undefined }) },
    'empty text': { message: email({ text: '' }) },
    'bcc without cc': { message: email({ bcc: ['audit@example.com'] }) },
    'an address repeated across the lists': {
      message: email({
        to: ['ada@example.com', 'ADA@example.com'],
        cc: ['Ada@Example.com', 'bob@example.com'],
        bcc: ['bob@example.com'],
      }),
    },
    'a named default sender': { message: email(), defaultFrom: 'Herald Ops <ops@example.com>' },
    'metadata keys in camel, snake and kebab case, and unicode': {
      message: email({
        subject: 'Ünïcödé — "quoted" \\ \u2028',
        text: 'line\nbreak €',
        metadata: { orderId: '1', order_id: '2', 'order-id': '3', 'Order Id': '4', ü: '€' },
      }),
    },
  };

  it.each(Object.entries(cases))(
    'writes the JSON @sendgrid/mail writes, byte for byte: %s',
    (_name, { message, defaultFrom = DEFAULT_FROM }) => {
      expect(JSON.stringify(sendgridMailBody(message, ID, defaultFrom))).toBe(
        sdkBody(message, defaultFrom),
      );
    },
  );

  it('refuses a message with no sender, as misconfigured', () => {
    expect(() => sendgridMailBody(email(), ID, undefined)).toThrow(ChannelError);
  });
});
