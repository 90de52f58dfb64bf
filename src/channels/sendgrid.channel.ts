import type { ClientResponse } from '@sendgrid/client/src/response';
import { MailService, type MailDataRequired } from '@sendgrid/mail';
import type { SendgridConfig } from '../config/herald-config';
import type { EmailMessage } from '../notifications/notification-message.schema';
import { AbortableSendgridClient } from './abortable-sendgrid-client';
import type { ChannelError } from './channel-error';
import { distinctRecipients } from './distinct-recipients';
import { emailSender } from './email-sender';
import { safeDetail, transportFailureOf } from './failure-classification';
import { ProviderChannel, customFields, httpFailure } from './provider-channel';
import type { ProviderRequest } from './provider-request-context';
import { sdkTimeoutMs } from './sdk-timeout';

interface SendgridErrorItem {
  readonly message?: unknown;
  readonly field?: unknown;
}

/** The shape of @sendgrid/helpers' `ResponseError` (an HTTP answer ≥ 400). */
interface SendgridResponseError {
  readonly code: number;
  readonly response: { readonly headers?: Record<string, unknown>; readonly body?: unknown };
}

function isResponseError(err: unknown): err is SendgridResponseError {
  const e = err as Partial<SendgridResponseError> | null;
  return typeof e?.code === 'number' && typeof e.response === 'object' && e.response !== null;
}

/**
 * E-mail through SendGrid's v3 Mail Send API with @sendgrid/mail. One `MailService` with
 * its own client (never the module's global singleton), built once. Herald's notification
 * id and the message's metadata travel as the personalization's `custom_args`, which
 * SendGrid shows in its activity feed and returns in event webhooks.
 */
export class SendgridChannel extends ProviderChannel<'email', MailDataRequired, ClientResponse> {
  readonly provider = 'sendgrid' as const;
  readonly kind = 'email' as const;
  private readonly mail: MailService;

  constructor(
    config: SendgridConfig,
    private readonly defaultFrom: string | undefined,
  ) {
    super();
    if (!config.apiKey) throw new Error('SendgridChannel needs SENDGRID_API_KEY');
    const client = new AbortableSendgridClient();
    client.setApiKey(config.apiKey);
    // setApiKey resets the base URL to the global region: set ours after it.
    if (config.baseUrl) client.setDefaultRequest('baseUrl', config.baseUrl);
    this.mail = new MailService();
    this.mail.setClient(client);
    this.mail.setTimeout(sdkTimeoutMs(config.deadlineMs));
  }

  protected toRequest(message: EmailMessage, notificationId: string): MailDataRequired {
    const from = emailSender(message, this.defaultFrom);
    const { to, cc, bcc } = distinctRecipients(message);
    return {
      from,
      // The custom args ride in the personalization: SendGrid's description types the
      // top-level `custom_args` as a string, and a top-level object is refused with a 400.
      personalizations: [
        {
          to,
          ...(cc.length > 0 ? { cc } : {}),
          ...(bcc.length > 0 ? { bcc } : {}),
          customArgs: customFields(message, notificationId),
        },
      ],
      ...(message.replyTo ? { replyTo: message.replyTo } : {}),
      subject: message.subject,
      ...(message.text === undefined ? {} : { text: message.text }),
      ...(message.html === undefined ? {} : { html: message.html }),
    } as MailDataRequired;
  }

  protected async call(data: MailDataRequired): Promise<ClientResponse> {
    const [response] = await this.mail.send(data);
    return response;
  }

  protected messageIdOf(response: ClientResponse): string | undefined {
    const id = (response.headers as Record<string, unknown>)['x-message-id'];
    return typeof id === 'string' ? id : undefined;
  }

  protected classify(err: unknown, { signal }: ProviderRequest): ChannelError {
    if (!isResponseError(err)) return transportFailureOf(err, signal);
    const body = err.response.body as { errors?: SendgridErrorItem[] } | undefined;
    const first = Array.isArray(body?.errors) ? body.errors[0] : undefined;
    const field = typeof first?.field === 'string' && first.field !== '' ? first.field : undefined;
    const words = safeDetail(first?.message, 120);
    return httpFailure({
      status: err.code,
      words: field ? `${words} (${field})` : words,
      providerCode: field ?? (words ? words.slice(0, 60) : undefined),
      retryAfter: err.response.headers?.['retry-after'],
      cause: err,
    });
  }
}
