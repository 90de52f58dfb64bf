import { SESv2Client } from '@aws-sdk/client-sesv2';
import { Client as SendgridClient } from '@sendgrid/client';
import type { ClientRequest } from '@sendgrid/client/src/request';
import { MailService } from '@sendgrid/mail';
import { LogLevel, WebClient } from '@slack/web-api';
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import twilio from 'twilio';
import type TwilioRequestClient from 'twilio/lib/base/RequestClient';
import { SANDBOX_CREDENTIALS } from '../../src/config/sandbox-credentials';

/**
 * The real provider SDKs, each pointed at a simulator only through its documented
 * base-URL option, with the SDK's own retries off (Herald decides, not the SDK).
 */

interface Common {
  /** Client timeout in milliseconds. */
  readonly timeoutMs?: number;
}

export function sendgridMail(url: string, options: Common & { apiKey?: string } = {}): MailService {
  const client = new SendgridClient();
  client.setApiKey(options.apiKey ?? SANDBOX_CREDENTIALS.sendgrid.apiKey);
  // setApiKey resets the base URL: set it last.
  client.setDefaultRequest('baseUrl', url);
  if (options.timeoutMs) {
    // The typings omit `timeout`, which the client hands to axios as documented.
    client.setDefaultRequest({ timeout: options.timeoutMs } as unknown as ClientRequest);
  }
  const mail = new MailService();
  mail.setClient(client);
  return mail;
}

export function mailgunClient(url: string, options: Common & { key?: string } = {}) {
  return new Mailgun(FormData).client({
    username: 'api',
    key: options.key ?? SANDBOX_CREDENTIALS.mailgun.apiKey,
    url,
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  });
}

export function sesClient(
  url: string,
  options: { accessKeyId?: string; secretAccessKey?: string } = {},
): SESv2Client {
  return new SESv2Client({
    endpoint: url,
    region: SANDBOX_CREDENTIALS.ses.region,
    credentials: {
      accessKeyId: options.accessKeyId ?? SANDBOX_CREDENTIALS.ses.accessKeyId,
      secretAccessKey: options.secretAccessKey ?? SANDBOX_CREDENTIALS.ses.secretAccessKey,
    },
    maxAttempts: 1,
  });
}

/** Twilio's documented custom `httpClient`: sends every request to the simulator instead. */
class RedirectingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string,
    options: ConstructorParameters<typeof twilio.RequestClient>[0],
  ) {
    super(options);
  }

  override request<T>(opts: TwilioRequestClient.RequestOptions<T>) {
    return super.request<T>({
      ...opts,
      uri: opts.uri.replace(/^https:\/\/api\.twilio\.com/, this.baseUrl),
    });
  }
}

export function twilioClient(
  url: string,
  options: Common & { accountSid?: string; authToken?: string } = {},
) {
  return twilio(
    options.accountSid ?? SANDBOX_CREDENTIALS.twilio.accountSid,
    options.authToken ?? SANDBOX_CREDENTIALS.twilio.authToken,
    {
      httpClient: new RedirectingRequestClient(url, {
        ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
      }),
    },
  );
}

export function slackClient(url: string, options: Common & { token?: string } = {}): WebClient {
  return new WebClient(options.token ?? SANDBOX_CREDENTIALS.slack.token, {
    slackApiUrl: `${url}/api/`,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    // Its own warnings about failed requests would only repeat what the specs assert.
    logLevel: LogLevel.ERROR,
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  });
}

/** An SDK's error, read loosely: each SDK keeps status, code and headers somewhere else. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- five untyped error shapes
export type SdkError = Record<string, any>;

/** Runs `call` and returns what it threw (fails the test when it does not throw). */
export async function failureOf(call: () => Promise<unknown>): Promise<SdkError> {
  try {
    await call();
  } catch (err) {
    return err as SdkError;
  }
  throw new Error('expected the call to fail');
}
