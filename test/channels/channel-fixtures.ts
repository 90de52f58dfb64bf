import type {
  MailgunConfig,
  SendgridConfig,
  SesConfig,
  SlackConfig,
  TwilioConfig,
} from '../../src/config/herald-config';
import { ChannelError } from '../../src/channels/channel-error';
import type { NotificationChannel, SendResult } from '../../src/channels/notification-channel';
import type {
  ChatMessage,
  EmailMessage,
  NotificationMessage,
  SmsMessage,
} from '../../src/notifications/notification-message.schema';
import type { ProviderBehaviour } from '../../src/sandbox/provider-simulator';
import { SANDBOX_CREDENTIALS } from '../../src/config/sandbox-credentials';
import { type SimulatorFixture, useSimulator } from '../sandbox/simulator-fixture';

/** The sender sandbox mode defaults to; any address the simulator accepts would do. */
export const DEFAULT_FROM = 'herald@sandbox.herald.test';

/** Deadline of the fault cases: long enough for a local answer, short enough to keep specs fast. */
export const DEADLINE_MS = 1_000;
/** Deadline of the hang cases. */
export const SHORT_DEADLINE_MS = 200;

const common = { configured: true, deadlineMs: DEADLINE_MS } as const;

/** Each provider's configuration type. */
interface ProviderConfigs {
  readonly sendgrid: SendgridConfig;
  readonly mailgun: MailgunConfig;
  readonly ses: SesConfig;
  readonly twilio: TwilioConfig;
  readonly slack: SlackConfig;
}
export type Provider = keyof ProviderConfigs;
export type ConfigOf<P extends Provider> = ProviderConfigs[P];

/** Each provider's configuration as sandbox mode builds it, pointed at `url`. */
export const providerConfig: {
  readonly [P in Provider]: (url: string, overrides?: Partial<ConfigOf<P>>) => ConfigOf<P>;
} = {
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

/** `n` distinct addresses at example.com. */
export const addresses = (n: number, prefix = 'user'): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}@example.com`);

/** Metadata at Herald's limits: 20 entries, 64-character keys, 256-character values. */
export const largestMetadata = (): Record<string, string> =>
  Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [
      `k${String(i).padStart(2, '0')}`.padEnd(64, 'k'),
      `v${i}`.padEnd(256, 'v'),
    ]),
  );

/**
 * The largest e-mail Herald's intake accepts with its default limits: 50 recipients across
 * to, cc and bcc, a 998-character subject, 100 KiB text and html, the largest metadata.
 */
export const largestEmailMessage = (): EmailMessage => ({
  channel: 'email',
  to: addresses(48),
  cc: ['cc@example.com'],
  bcc: ['bcc@example.com'],
  from: 'orders@example.com',
  replyTo: 'support@example.com',
  subject: 's'.repeat(998),
  text: 't'.repeat(100 * 1024),
  html: `<p>${'h'.repeat(100 * 1024 - 7)}</p>`,
  metadata: largestMetadata(),
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

/** One row of a channel spec's fault table: what goes wrong, and how the channel must classify it. */
export interface FaultCase<Config, M extends NotificationMessage> {
  /** What the simulator does. */
  readonly behaviour?: Partial<ProviderBehaviour>;
  /** What differs from the sandbox configuration. */
  readonly config?: Partial<Config>;
  /** What differs from the default message. */
  readonly message?: Partial<M>;
  readonly expected: Partial<ReturnType<typeof classified>>;
}

/** A channel spec's own simulator, and the channel under test pointed at it. */
export interface ChannelFixture<
  P extends Provider,
  C extends NotificationChannel,
  M extends NotificationMessage,
> {
  readonly provider: P;
  readonly sim: SimulatorFixture;
  /** A new channel with the sandbox configuration, changed by `overrides`. */
  channel(overrides?: Partial<ConfigOf<P>>): C;
  /** The default message of the channel's kind, changed by `overrides`. */
  message(overrides?: Partial<M>): M;
  /** Sends as the delivery engine does; the default signal leaves the channel's deadline in charge. */
  send(channel: C, message?: M, signal?: AbortSignal): Promise<SendResult>;
  /** Sets the case's behaviour and sends its message through a channel with its config; the send must fail. */
  failure(c: FaultCase<ConfigOf<P>, M>): Promise<Outcome & { readonly message: M }>;
  /**
   * Lets the current test send a request that breaks the provider's contract. Otherwise every
   * test ends by asserting that the simulator recorded no contract violation.
   */
  expectContractBreach(): void;
}

/**
 * Sets up a channel spec (call it inside the `describe`): a simulator for the suite, and the
 * channels it builds with `create`, closed after the suite where they hold sockets (SES).
 */
export function useChannel<
  P extends Provider,
  C extends NotificationChannel,
  M extends NotificationMessage,
>(options: {
  readonly provider: P;
  readonly create: (config: ConfigOf<P>) => C;
  readonly message: (overrides?: Partial<M>) => M;
}): ChannelFixture<P, C, M> {
  const { provider, create, message } = options;
  const sim = useSimulator();
  const built: C[] = [];
  afterAll(() => {
    for (const c of built) (c as { close?: () => void }).close?.();
  });
  let breachExpected = false;
  beforeEach(() => {
    breachExpected = false;
  });
  afterEach(() => {
    // The simulator checks every request against the provider's documented contract.
    if (!breachExpected) expect(sim.simulator.contractBreaches(provider)).toEqual([]);
  });
  const configAt = providerConfig[provider];
  const channel = (overrides: Partial<ConfigOf<P>> = {}) => {
    const c = create(configAt(sim.url, overrides));
    built.push(c);
    return c;
  };
  const send = (c: C, m: M = message(), signal: AbortSignal = AbortSignal.timeout(5_000)) =>
    c.send(m, { signal, notificationId: NOTIFICATION_ID });
  return {
    provider,
    sim,
    channel,
    message,
    send,
    failure: async (c) => {
      if (c.behaviour) sim.simulator.setBehaviour(provider, c.behaviour);
      const m = message(c.message);
      return { ...(await failureOf(() => send(channel(c.config), m))), message: m };
    },
    expectContractBreach: () => {
      breachExpected = true;
    },
  };
}
