import type { ClientRequest } from '@sendgrid/client/src/request';
import type { ClientResponse } from '@sendgrid/client/src/response';
import type { SendgridConfig } from '../config/herald-config';
import type { EmailMessage } from '../notifications/notification-message.schema';
import { AbortableSendgridClient } from './abortable-sendgrid-client';
import type { ChannelError } from './channel-error';
import { safeDetail, transportFailureOf } from './failure-classification';
import { ProviderChannel, httpFailure } from './provider-channel';
import type { ProviderRequest } from './provider-request-context';
import { sdkTimeoutMs } from './sdk-timeout';
import { type SendgridMailBody, sendgridMailBody } from './sendgrid-mail-body';

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
 * E-mail through SendGrid's v3 Mail Send API with the official SDK's client (@sendgrid/client,
 * the one @sendgrid/mail sends with): one client of its own (never the module's global
 * singleton), built once. The body is the one @sendgrid/mail's `Mail` helper writes for the
 * same message (see {@link sendgridMailBody}), posted to `/v3/mail/send` as `MailService.send`
 * posts it. Herald's notification id and the message's metadata travel as the
 * personalization's `custom_args`, which SendGrid shows in its activity feed and returns in
 * event webhooks.
 */
export class SendgridChannel extends ProviderChannel<'email', SendgridMailBody, ClientResponse> {
  readonly provider = 'sendgrid' as const;
  readonly kind = 'email' as const;
  private readonly client: AbortableSendgridClient;

  constructor(
    config: SendgridConfig,
    private readonly defaultFrom: string | undefined,
  ) {
    super();
    if (!config.apiKey) throw new Error('SendgridChannel needs SENDGRID_API_KEY');
    this.client = new AbortableSendgridClient();
    this.client.setApiKey(config.apiKey);
    // setApiKey resets the base URL to the global region: set ours after it.
    if (config.baseUrl) this.client.setDefaultRequest('baseUrl', config.baseUrl);
    // As MailService.setTimeout sets it (the client's typings leave `timeout` out).
    this.client.setDefaultRequest(
      'timeout' as keyof ClientRequest,
      sdkTimeoutMs(config.deadlineMs),
    );
  }

  protected toRequest(message: EmailMessage, notificationId: string): SendgridMailBody {
    return sendgridMailBody(message, notificationId, this.defaultFrom);
  }

  protected async call(body: SendgridMailBody): Promise<ClientResponse> {
    const [response] = await this.client.request({
      method: 'POST',
      url: '/v3/mail/send',
      body,
    });
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
