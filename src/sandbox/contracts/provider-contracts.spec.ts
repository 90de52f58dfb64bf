import type { FastifyRequest } from 'fastify';
import { mailgunContract } from './mailgun.contract';
import { type ProviderContract, contractViolations } from './provider-contract';
import { sendgridContract } from './sendgrid.contract';
import { sesContract } from './ses.contract';
import { slackContract } from './slack.contract';
import { twilioContract } from './twilio.contract';

const violations = (contract: ProviderContract, body: unknown) =>
  contractViolations(contract, { body } as FastifyRequest);

/** The request example of SendGrid's OpenAPI description (`/mail/send`), attachment shortened. */
const SENDGRID_EXAMPLE = {
  personalizations: [
    {
      to: [
        { email: 'john_doe@example.com', name: 'John Doe' },
        { email: 'julia_doe@example.com', name: 'Julia Doe' },
      ],
      cc: [{ email: 'jane_doe@example.com', name: 'Jane Doe' }],
      bcc: [{ email: 'james_doe@example.com', name: 'Jim Doe' }],
    },
    {
      from: { email: 'sales@example.com', name: 'Example Sales Team' },
      to: [{ email: 'janice_doe@example.com', name: 'Janice Doe' }],
      bcc: [{ email: 'jordan_doe@example.com', name: 'Jordan Doe' }],
    },
  ],
  from: { email: 'orders@example.com', name: 'Example Order Confirmation' },
  reply_to: { email: 'customer_service@example.com', name: 'Example Customer Service Team' },
  subject: 'Your Example Order Confirmation',
  content: [{ type: 'text/html', value: '<p>Hello from Twilio SendGrid!</p>' }],
  attachments: [
    {
      content: 'PGh0bWw+PC9odG1sPg==',
      filename: 'index.html',
      type: 'text/html',
      disposition: 'attachment',
    },
  ],
  categories: ['cake', 'pie', 'baking'],
  send_at: 1617260400,
  batch_id: 'AsdFgHjklQweRTYuIopzXcVBNm0aSDfGHjklmZcVbNMqWert1znmOP2asDFjkl',
  asm: { group_id: 12345, groups_to_display: [12345] },
  ip_pool_name: 'transactional email',
  mail_settings: { sandbox_mode: { enable: false } },
  tracking_settings: { click_tracking: { enable: true, enable_text: false } },
};

/** The `createWoService` example of Twilio's OpenAPI description (CreateMessageRequest). */
const TWILIO_EXAMPLE = {
  ApplicationSid: 'APaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  Body: 'Hello! 👍',
  From: '+14155552345',
  MediaUrl: ['https://example.com'],
  PersistentAction: ['mailto:test@example.com'],
  StatusCallback: 'https://example.com',
  To: '+14155552345',
};

const SES_REQUEST = {
  FromEmailAddress: 'ops@example.com',
  Destination: { ToAddresses: ['ada@example.com'] },
  Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello' } } } },
  EmailTags: [{ Name: 'herald_notification_id', Value: 'ntf_1' }],
};

const SLACK_FORM = {
  channel: 'C0123456789',
  text: 'Deploy finished',
  blocks: JSON.stringify([{ type: 'divider' }]),
  metadata: JSON.stringify({ event_type: 'herald_notification', event_payload: { a: '1' } }),
  unfurl_links: 'false',
};

describe('provider contracts', () => {
  describe('accept what the providers document', () => {
    it.each<[string, ProviderContract, unknown]>([
      ["SendGrid's own example request", sendgridContract, SENDGRID_EXAMPLE],
      ["Twilio's own example request", twilioContract, TWILIO_EXAMPLE],
      [
        'a Twilio message through a Messaging Service, without From',
        twilioContract,
        { To: '+14155552345', MessagingServiceSid: `MG${'a'.repeat(32)}`, Body: 'Hi' },
      ],
      ['a SES SendEmail request', sesContract, SES_REQUEST],
      ['a Slack form-encoded post', slackContract, SLACK_FORM],
      [
        'a Mailgun message with a template instead of a body and subject',
        mailgunContract,
        { from: 'ops@example.com', to: ['a@example.com', 'b@example.com'], template: 'welcome' },
      ],
    ])('%s', (_name, contract, body) => {
      expect(violations(contract, body)).toEqual([]);
    });
  });

  describe('refuse what the providers refuse', () => {
    it.each<
      [string, ProviderContract, unknown, { field: string; code?: string; message?: string }]
    >([
      [
        'SendGrid: more than 10 categories',
        sendgridContract,
        { ...SENDGRID_EXAMPLE, categories: Array.from({ length: 11 }, (_, i) => `c${i}`) },
        { field: 'categories' },
      ],
      [
        'SendGrid: reply_to with reply_to_list',
        sendgridContract,
        { ...SENDGRID_EXAMPLE, reply_to_list: [{ email: 'a@example.com' }] },
        { field: 'reply_to_list' },
      ],
      [
        'SendGrid: a custom arg that is not a string',
        sendgridContract,
        {
          ...SENDGRID_EXAMPLE,
          personalizations: [{ to: [{ email: 'a@example.com' }], custom_args: { n: 1 } }],
        },
        { field: 'personalizations.0.custom_args.n' },
      ],
      [
        'SendGrid: an attachment without filename',
        sendgridContract,
        { ...SENDGRID_EXAMPLE, attachments: [{ content: 'eA==' }] },
        { field: 'attachments.0.filename' },
      ],
      [
        'SES: Simple and Raw content together',
        sesContract,
        { ...SES_REQUEST, Content: { ...SES_REQUEST.Content, Raw: { Data: 'eA==' } } },
        { field: 'Content' },
      ],
      [
        'SES: an empty tag value',
        sesContract,
        { ...SES_REQUEST, EmailTags: [{ Name: 'a', Value: '' }] },
        { field: 'EmailTags.0.Value' },
      ],
      [
        'Twilio: eleven media URLs',
        twilioContract,
        { ...TWILIO_EXAMPLE, MediaUrl: Array.from({ length: 11 }, () => 'https://e.com') },
        { field: 'MediaUrl', code: '20001' },
      ],
      [
        'Twilio: a StatusCallback that is not a URL',
        twilioContract,
        { ...TWILIO_EXAMPLE, StatusCallback: 'not a url' },
        { field: 'StatusCallback', code: '21609' },
      ],
      [
        'Twilio: neither From nor a Messaging Service',
        twilioContract,
        { To: '+14155552345', Body: 'Hi' },
        { field: 'From', code: '21603' },
      ],
      [
        'Twilio: no Body, media or content',
        twilioContract,
        { To: '+14155552345', From: '+14155552345' },
        { field: 'Body', code: '21602' },
      ],
      [
        'Slack: metadata without an event_type',
        slackContract,
        { ...SLACK_FORM, metadata: JSON.stringify({ event_payload: {} }) },
        { field: 'metadata.event_type', code: 'invalid_metadata_format' },
      ],
      [
        'Slack: blocks that are not JSON',
        slackContract,
        { ...SLACK_FORM, blocks: '[{' },
        { field: 'blocks', code: 'invalid_blocks_format' },
      ],
      [
        'Slack: 101 attachments',
        slackContract,
        { ...SLACK_FORM, attachments: JSON.stringify(Array.from({ length: 101 }, () => ({}))) },
        { field: 'attachments', code: 'too_many_attachments' },
      ],
      [
        'Slack: no text, blocks or attachments',
        slackContract,
        { channel: 'C0123456789' },
        { field: 'text', code: 'no_text' },
      ],
      [
        'Slack: a boolean argument that is not a boolean',
        slackContract,
        { ...SLACK_FORM, mrkdwn: 'maybe' },
        { field: 'mrkdwn' },
      ],
      [
        'Mailgun: no to',
        mailgunContract,
        { from: 'ops@example.com', subject: 'Hi', text: 'Hello' },
        { field: 'to', message: "'to' parameter is missing" },
      ],
      [
        'Mailgun: no text, html or template',
        mailgunContract,
        { from: 'ops@example.com', to: 'a@example.com', subject: 'Hi' },
        { field: 'text' },
      ],
    ])('%s', (_name, contract, body, expected) => {
      const found = violations(contract, body);

      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject(expected);
    });
  });

  describe('answer as the provider does', () => {
    it('Slack: an argument problem without its own error is invalid_arguments', () => {
      const answer = slackContract.refuse([{ field: 'mrkdwn', message: 'Invalid input' }]);

      expect(answer).toEqual({
        status: 200,
        body: {
          ok: false,
          error: 'invalid_arguments',
          response_metadata: { messages: ['[ERROR] Invalid input [json-pointer:/mrkdwn]'] },
        },
      });
    });

    it("Twilio: a type problem no rule names is Twilio's generic 20001", () => {
      const answer = twilioContract.refuse([{ field: 'Body', message: 'Invalid type.' }]);

      expect(answer).toMatchObject({
        status: 400,
        body: { code: 20001, message: 'Invalid type.', status: 400 },
      });
    });
  });
});
