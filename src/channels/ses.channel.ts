import {
  type MessageTag,
  SESv2Client,
  SendEmailCommand,
  type SendEmailCommandInput,
  type SendEmailResponse,
} from '@aws-sdk/client-sesv2';
import type { SesConfig } from '../config/herald-config';
import type { EmailMessage } from '../notifications/notification-message.schema';
import { ChannelError, type ChannelErrorClass } from './channel-error';
import { emailSender } from './email-sender';
import { classOfHttpStatus, transportFailureOf } from './failure-classification';
import { ProviderChannel, customFields, httpFailure } from './provider-channel';
import type { ProviderRequest } from './provider-request-context';
import { sdkTimeoutMs } from './sdk-timeout';

/** How long a TCP connect may take, at most (the whole call is bounded by the deadline). */
const CONNECT_TIMEOUT_MS = 2_000;

/** SES error names whose meaning is sharper than their HTTP status. */
const CLASS_OF_ERROR: Readonly<Record<string, ChannelErrorClass>> = {
  TooManyRequestsException: 'throttled',
  LimitExceededException: 'throttled',
  ThrottlingException: 'throttled',
  MessageRejected: 'rejected',
  BadRequestException: 'rejected',
  AccountSuspendedException: 'misconfigured',
  SendingPausedException: 'misconfigured',
  MailFromDomainNotVerifiedException: 'misconfigured',
  NotFoundException: 'misconfigured',
  AccessDeniedException: 'misconfigured',
  UnrecognizedClientException: 'misconfigured',
  InvalidSignatureException: 'misconfigured',
  MissingAuthenticationTokenException: 'misconfigured',
  IncompleteSignatureException: 'misconfigured',
  ExpiredTokenException: 'misconfigured',
  InvalidClientTokenId: 'misconfigured',
  // No credentials anywhere in the default chain: nothing was sent.
  CredentialsProviderError: 'misconfigured',
};

/** SES tag names and values: ASCII letters, digits, `_` and `-` only, at most 256 characters. */
const tagSafe = (value: string) => value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);

/** What a SES (smithy) error carries besides its name. */
interface SesFailure {
  readonly name?: string;
  readonly message?: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Record<string, string | undefined> };
}

/**
 * E-mail through Amazon SES v2 `SendEmail` with @aws-sdk/client-sesv2. One client, built
 * once; credentials come from the configuration or the AWS SDK's default chain. Herald's
 * notification id and the metadata travel as `EmailTags` (visible in SES event publishing),
 * their values reduced to the characters SES allows.
 */
export class SesChannel extends ProviderChannel<'email', SendEmailCommandInput, SendEmailResponse> {
  readonly provider = 'ses' as const;
  readonly kind = 'email' as const;
  private readonly client: SESv2Client;

  constructor(
    config: SesConfig,
    private readonly defaultFrom: string | undefined,
  ) {
    super();
    this.client = new SESv2Client({
      ...(config.region ? { region: config.region } : {}),
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
      // The SDK would retry 429/5xx/refused up to 3 times: Herald alone decides.
      maxAttempts: 1,
      requestHandler: {
        connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, config.deadlineMs),
        // Second line of defence behind the abort signal; without throwOnRequestTimeout
        // the handler would only log a warning.
        requestTimeout: sdkTimeoutMs(config.deadlineMs),
        throwOnRequestTimeout: true,
      },
    });
  }

  protected toRequest(message: EmailMessage, notificationId: string): SendEmailCommandInput {
    const from = emailSender(message, this.defaultFrom);
    const tags: MessageTag[] = Object.entries(customFields(message, notificationId))
      // SES refuses an empty tag value; an empty metadata value carries nothing to trace.
      .filter(([, value]) => value !== '')
      .map(([name, value]) => ({ Name: tagSafe(name), Value: tagSafe(value) }));
    const charset = 'UTF-8';
    return {
      FromEmailAddress: from,
      Destination: {
        ToAddresses: message.to,
        ...(message.cc?.length ? { CcAddresses: message.cc } : {}),
        ...(message.bcc?.length ? { BccAddresses: message.bcc } : {}),
      },
      ...(message.replyTo ? { ReplyToAddresses: [message.replyTo] } : {}),
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: charset },
          Body: {
            ...(message.text === undefined
              ? {}
              : { Text: { Data: message.text, Charset: charset } }),
            ...(message.html === undefined
              ? {}
              : { Html: { Data: message.html, Charset: charset } }),
          },
        },
      },
      EmailTags: tags,
    };
  }

  /** The SDK takes the signal per call: no transport adapter needed. */
  protected call(input: SendEmailCommandInput, { signal }: ProviderRequest) {
    return this.client.send(new SendEmailCommand(input), { abortSignal: signal });
  }

  protected messageIdOf(output: SendEmailResponse): string | undefined {
    return output.MessageId;
  }

  protected classify(err: unknown, { signal }: ProviderRequest): ChannelError {
    const e = (typeof err === 'object' && err !== null ? err : {}) as SesFailure;
    const status = e.$metadata?.httpStatusCode;
    const name = e.name;
    if (status === undefined) {
      if (name !== undefined && CLASS_OF_ERROR[name] === 'misconfigured') {
        return new ChannelError('misconfigured', `SES client: ${name}`, {
          providerCode: name,
          cause: err,
        });
      }
      return transportFailureOf(err, signal);
    }
    // A non-JSON answer (a load balancer's HTML 503) makes the SDK throw a SyntaxError that
    // still carries the status: classify by the status, not the parser's complaint.
    const parsed = name !== 'SyntaxError';
    const byName = name !== undefined && parsed ? CLASS_OF_ERROR[name] : undefined;
    return httpFailure({
      status,
      errorClass:
        byName ??
        (e.$fault === 'server' && status < 500 ? 'unavailable' : classOfHttpStatus(status)),
      words: parsed ? `${name ?? 'error'}: ${e.message ?? ''}` : 'answer was not JSON',
      providerCode: parsed ? name : undefined,
      retryAfter: e.$response?.headers?.['retry-after'],
      cause: err,
    });
  }

  /** Frees the client's sockets. */
  close(): void {
    this.client.destroy();
  }
}
