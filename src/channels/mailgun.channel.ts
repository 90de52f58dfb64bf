import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import type { Interfaces, MailgunMessageData, MessagesSendResult } from 'mailgun.js/definitions';
import type { MailgunConfig } from '../config/herald-config';
import type { EmailMessage } from '../notifications/notification-message.schema';
import { AbortableMailgunRequestProvider } from './abortable-mailgun-request-provider';
import { ChannelError } from './channel-error';
import { emailSender } from './email-sender';
import { TRANSPORT_CODES, transportFailure, transportFailureOf } from './failure-classification';
import { ProviderChannel, customFields, httpFailure } from './provider-channel';
import type { ProviderRequest } from './provider-request-context';
import { sdkTimeoutMs } from './sdk-timeout';

/** mailgun.js's `MailgunAPIError`: every failure of the SDK, network failures included. */
interface MailgunApiError {
  readonly type: 'MailgunAPIError';
  readonly status: number;
  readonly message: string;
  readonly details?: unknown;
}

function isMailgunApiError(err: unknown): err is MailgunApiError {
  return (err as Partial<MailgunApiError> | null)?.type === 'MailgunAPIError';
}

/** What mailgun.js says when the base URL answers with Mailgun's landing text, not the API. */
const WRONG_URL_MESSAGE = 'Incorrect url';

/**
 * E-mail through Mailgun's Messages API with mailgun.js. One client, built once. Herald's
 * notification id and the metadata travel as user variables (`v:`), which Mailgun attaches
 * to every event and webhook of the message.
 */
export class MailgunChannel extends ProviderChannel<
  'email',
  MailgunMessageData,
  MessagesSendResult
> {
  readonly provider = 'mailgun' as const;
  readonly kind = 'email' as const;
  private readonly client: Interfaces.IMailgunClient;
  private readonly domain: string;

  constructor(
    config: MailgunConfig,
    private readonly defaultFrom: string | undefined,
  ) {
    super();
    if (!config.apiKey || !config.domain) {
      throw new Error('MailgunChannel needs MAILGUN_API_KEY and MAILGUN_DOMAIN');
    }
    this.domain = config.domain;
    this.client = new Mailgun(FormData).client({
      username: 'api',
      key: config.apiKey,
      ...(config.url ? { url: config.url } : {}),
      // Second line of defence behind the signal.
      timeout: sdkTimeoutMs(config.deadlineMs),
    });
    this.client.request.requestProvider = new AbortableMailgunRequestProvider(
      this.client.request.requestProvider,
    );
  }

  protected toRequest(message: EmailMessage, notificationId: string): MailgunMessageData {
    const from = emailSender(message, this.defaultFrom);
    const variables = Object.fromEntries(
      Object.entries(customFields(message, notificationId)).map(([key, value]) => [
        `v:${key}`,
        value,
      ]),
    );
    return {
      from,
      to: message.to,
      ...(message.cc?.length ? { cc: message.cc } : {}),
      ...(message.bcc?.length ? { bcc: message.bcc } : {}),
      ...(message.replyTo ? { 'h:Reply-To': message.replyTo } : {}),
      subject: message.subject,
      ...(message.text === undefined ? {} : { text: message.text }),
      ...(message.html === undefined ? {} : { html: message.html }),
      ...variables,
    } as MailgunMessageData;
  }

  protected call(data: MailgunMessageData): Promise<MessagesSendResult> {
    return this.client.messages.create(this.domain, data);
  }

  protected messageIdOf(result: MessagesSendResult): string | undefined {
    return result.id;
  }

  protected classify(err: unknown, { signal }: ProviderRequest): ChannelError {
    if (!isMailgunApiError(err)) return transportFailureOf(err, signal);
    // mailgun.js reports a request that got no answer (timeout, refused, reset, aborted) as
    // status 400 with the axios error code as its message: look at the message first.
    if (TRANSPORT_CODES.has(err.message)) {
      return transportFailure({ code: err.message, cause: err }, signal);
    }
    if (signal.aborted) return transportFailureOf(err, signal);
    if (err.message === WRONG_URL_MESSAGE) {
      return new ChannelError('misconfigured', 'MAILGUN_URL does not point at the Mailgun API', {
        status: err.status,
        cause: err,
      });
    }
    // Mailgun puts its explanation in the body's `message` (mailgun.js: `details`); a bare
    // 401 has only the status text. mailgun.js keeps no response headers, so a Retry-After
    // cannot be read: the delivery engine's default cool-down applies.
    const words = typeof err.details === 'string' && err.details !== '' ? err.details : err.message;
    return httpFailure({ status: err.status, words, cause: err });
  }
}
