import type {
  MailgunConfig,
  SendgridConfig,
  SesConfig,
  SlackConfig,
  TwilioConfig,
} from '../../src/config/herald-config';
import { ChannelError } from '../../src/channels/channel-error';
import type {
  ChatMessage,
  EmailMessage,
  SmsMessage,
} from '../../src/notifications/notification-message.schema';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/sandbox-credentials';

/** The sender sandbox mode defaults to; any address the simulator accepts would do. */
export const DEFAULT_FROM = 'herald@sandbox.herald.test';

/** Deadline of the fault cases: long enough for a local answer, short enough to keep specs fast. */
export const DEADLINE_MS = 1_000;
/** Deadline of the hang cases. */
export const SHORT_DEADLINE_MS = 200;

const common = { configured: true, deadlineMs: DEADLINE_MS } as const;

/** Each provider's configuration as sandbox mode builds it, pointed at `url`. */
export const providerConfig = {
  sendgrid: (url: string, o: Partial<SendgridConfig> = {}): SendgridConfig => ({
    ...common,
    name: 'sendgrid',
    kind: 'email',
    apiKey: SANDBOX_CREDENTIALS.sendgrid.apiKey,
    baseUrl: url,
    ...o,
  }),
  mailgun: (url: string, o: Partial<MailgunConfig> = {}): MailgunConfig => ({
    ...common,
    name: 'mailgun',
    kind: 'email',
    apiKey: SANDBOX_CREDENTIALS.mailgun.apiKey,
    domain: SANDBOX_CREDENTIALS.mailgun.domain,
    url,
    ...o,
  }),
  ses: (url: string, o: Partial<SesConfig> = {}): SesConfig => ({
    ...common,
    name: 'ses',
    kind: 'email',
    region: SANDBOX_CREDENTIALS.ses.region,
    endpoint: url,
    credentials: {
      accessKeyId: SANDBOX_CREDENTIALS.ses.accessKeyId,
      secretAccessKey: SANDBOX_CREDENTIALS.ses.secretAccessKey,
    },
    ...o,
  }),
  twilio: (url: string, o: Partial<TwilioConfig> = {}): TwilioConfig => ({
    ...common,
    name: 'twilio',
    kind: 'sms',
    accountSid: SANDBOX_CREDENTIALS.twilio.accountSid,
    authToken: SANDBOX_CREDENTIALS.twilio.authToken,
    from: SANDBOX_CREDENTIALS.twilio.from,
    baseUrl: url,
    ...o,
  }),
  slack: (url: string, o: Partial<SlackConfig> = {}): SlackConfig => ({
    ...common,
    name: 'slack',
    kind: 'chat',
    token: SANDBOX_CREDENTIALS.slack.token,
    apiUrl: `${url}/api/`,
    ...o,
  }),
};

export const emailMessage = (o: Partial<EmailMessage> = {}): EmailMessage => ({
  channel: 'email',
  to: ['ada@example.com'],
  subject: 'Your order shipped',
  text: 'It is on its way.',
  ...o,
});

/** Every field of §3 set, to assert the exact provider request. */
export const fullEmailMessage = (): EmailMessage => ({
  channel: 'email',
  to: ['ada@example.com', 'grace@example.com'],
  from: 'orders@example.com',
  subject: 'Your order #123 shipped',
  text: 'It is on its way.',
  html: '<p>It is on its <b>way</b>.</p>',
  cc: ['linus@example.com'],
  bcc: ['audit@example.com'],
  replyTo: 'support@example.com',
  metadata: { orderId: '123', tenant: 'acme' },
});

export const smsMessage = (o: Partial<SmsMessage> = {}): SmsMessage => ({
  channel: 'sms',
  to: '+14155550100',
  text: 'Your code is 123456',
  ...o,
});

export const chatMessage = (o: Partial<ChatMessage> = {}): ChatMessage => ({
  channel: 'chat',
  to: 'C0123456789',
  text: 'Deploy finished',
  ...o,
});

/** A notification id as the delivery engine passes it. */
export const NOTIFICATION_ID = 'ntf_01HZX3K9Q7Y2B5C8D4E6F0G1H2';

/** A signal that never fires: the channel's deadline is then only the SDK's own timeout. */
export const never = (): AbortSignal => new AbortController().signal;

export interface Outcome {
  readonly error: ChannelError;
  /** Milliseconds from the call to its rejection. */
  readonly elapsedMs: number;
}

/** Runs a send that must fail, and returns its ChannelError and how long it took. */
export async function failureOf(send: () => Promise<unknown>): Promise<Outcome> {
  const started = performance.now();
  try {
    await send();
  } catch (err) {
    const elapsedMs = performance.now() - started;
    if (!(err instanceof ChannelError)) {
      throw new Error(`expected a ChannelError, got ${String(err)}`, { cause: err });
    }
    return { error: err, elapsedMs };
  }
  throw new Error('expected the send to fail');
}

/** The fields a delivery engine reads from a ChannelError. */
export const classified = (e: ChannelError) => ({
  errorClass: e.errorClass,
  status: e.status,
  providerCode: e.providerCode,
  retryAfterMs: e.retryAfterMs,
  ambiguous: e.ambiguous,
});

/** Secrets a detail or message must never contain. */
export const SECRETS = [
  SANDBOX_CREDENTIALS.sendgrid.apiKey,
  SANDBOX_CREDENTIALS.mailgun.apiKey,
  SANDBOX_CREDENTIALS.ses.secretAccessKey,
  SANDBOX_CREDENTIALS.twilio.authToken,
  SANDBOX_CREDENTIALS.slack.token,
];

/** Asserts a ChannelError says nothing it must not: no secret, no body, no full recipient. */
export function expectSafe(error: ChannelError, forbidden: readonly string[] = []): void {
  const said = `${error.message} ${error.detail} ${JSON.stringify(error)}`;
  for (const s of [...SECRETS, ...forbidden]) expect(said).not.toContain(s);
}
