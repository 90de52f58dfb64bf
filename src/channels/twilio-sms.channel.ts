import twilio from 'twilio';
import type { MessageInstance } from 'twilio/lib/rest/api/v2010/account/message';
import type { TwilioConfig } from '../config/herald-config';
import type { SmsMessage } from '../notifications/notification-message.schema';
import type { ChannelError, ChannelErrorClass } from './channel-error';
import { transportFailureOf } from './failure-classification';
import { ProviderChannel, httpFailure } from './provider-channel';
import type { ProviderRequest } from './provider-request-context';
import { sdkTimeoutMs } from './sdk-timeout';
import { TwilioHttpClient } from './twilio-http-client';

/** Twilio error codes whose meaning is sharper than their HTTP status. */
const CLASS_OF_CODE: Readonly<Record<number, ChannelErrorClass>> = {
  20429: 'throttled', // too many requests
  14107: 'throttled', // SMS send rate limit exceeded
  30022: 'throttled', // US A2P 10DLC rate limit
  20003: 'misconfigured', // authenticate
  20404: 'misconfigured', // wrong account or resource
  21606: 'misconfigured', // From is not a valid, SMS-capable Twilio number
  21659: 'misconfigured', // From is not a Twilio number
  21212: 'misconfigured', // invalid From (it comes from TWILIO_FROM)
  21211: 'rejected', // invalid To
  21610: 'rejected', // unsubscribed recipient (STOP)
  21612: 'rejected', // To not reachable
  21408: 'rejected', // no permission for the To region
  21614: 'rejected', // To is not a mobile number
  21617: 'rejected', // body too long
  21602: 'rejected', // body required
};

/** twilio's `RestException`: Twilio answered with an error. */
interface TwilioRestException {
  readonly status: number;
  readonly code?: number;
  readonly message?: string;
}

function isRestException(err: unknown): err is TwilioRestException {
  return err instanceof twilio.RestException;
}

/** What the channel hands the SDK's `messages.create`. */
interface TwilioMessageParams {
  readonly to: string;
  readonly from: string;
  readonly body: string;
  readonly statusCallback?: string;
}

/**
 * SMS through Twilio's Messages API with the twilio SDK. One client, built once, with
 * {@link TwilioHttpClient} as its transport. Twilio has no custom field on a message:
 * Herald's notification id travels as the `X-Herald-Notification-Id` request header, and
 * the metadata is not sent.
 */
export class TwilioSmsChannel extends ProviderChannel<'sms', TwilioMessageParams, MessageInstance> {
  readonly provider = 'twilio' as const;
  readonly kind = 'sms' as const;
  private readonly client: twilio.Twilio;
  private readonly from: string;

  /**
   * @param statusCallbackUrl where Twilio posts each message's status
   *   (`<HERALD_PUBLIC_URL>/v1/provider-events/twilio`); none when Herald has no public URL.
   */
  constructor(
    config: TwilioConfig,
    private readonly statusCallbackUrl?: string,
  ) {
    super();
    if (!config.accountSid || !config.authToken || !config.from) {
      throw new Error(
        'TwilioSmsChannel needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM',
      );
    }
    this.from = config.from;
    this.client = twilio(config.accountSid, config.authToken, {
      httpClient: new TwilioHttpClient({
        baseUrl: config.baseUrl,
        timeoutMs: sdkTimeoutMs(config.deadlineMs),
      }),
      autoRetry: false,
    });
  }

  protected toRequest(message: SmsMessage, notificationId: string): TwilioMessageParams {
    return {
      to: message.to,
      from: this.from,
      body: message.text,
      // The notification id rides along for the simulator and for reading logs; Herald finds
      // the notification by the message SID.
      ...(this.statusCallbackUrl
        ? {
            statusCallback: `${this.statusCallbackUrl}?herald_notification_id=${encodeURIComponent(notificationId)}`,
          }
        : {}),
    };
  }

  protected call(params: TwilioMessageParams): Promise<MessageInstance> {
    return this.client.messages.create({ ...params });
  }

  protected messageIdOf(created: MessageInstance): string | undefined {
    return created.sid;
  }

  protected classify(err: unknown, call: ProviderRequest): ChannelError {
    if (!isRestException(err)) return transportFailureOf(err, call.signal);
    const { status, code } = err;
    return httpFailure({
      status,
      errorClass: code === undefined ? undefined : CLASS_OF_CODE[code],
      words: code === undefined ? err.message : `${code} ${err.message ?? ''}`,
      providerCode: code,
      // twilio's RestException keeps no headers: the transport saw them.
      retryAfter: call.response?.headers['retry-after'],
      cause: err,
    });
  }
}
