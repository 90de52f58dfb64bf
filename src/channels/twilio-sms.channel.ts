import twilio from 'twilio';
import type { TwilioConfig } from '../config/herald-config';
import type { SmsMessage } from '../notifications/notification-message.schema';
import { ChannelError, type ChannelErrorClass, parseRetryAfter } from './channel-error';
import {
  abortedBeforeSend,
  classOfHttpStatus,
  httpDetail,
  transportFailureOf,
} from './failure-classification';
import type { NotificationChannel, SendContext, SendResult } from './notification-channel';
import { type ProviderRequest, ProviderRequestContext } from './provider-request-context';
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

/**
 * SMS through Twilio's Messages API with the twilio SDK. One client, built once, with
 * {@link TwilioHttpClient} as its transport. Twilio has no custom field on a message:
 * Herald's notification id travels as the `X-Herald-Notification-Id` request header, and
 * the metadata is not sent.
 */
export class TwilioSmsChannel implements NotificationChannel<'sms'> {
  readonly provider = 'twilio' as const;
  readonly kind = 'sms' as const;
  private readonly client: twilio.Twilio;
  private readonly from: string;

  constructor(config: TwilioConfig) {
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

  async send(message: SmsMessage, { signal, notificationId }: SendContext): Promise<SendResult> {
    if (signal.aborted) throw abortedBeforeSend();
    const call: ProviderRequest = { signal, notificationId };
    try {
      const created = await ProviderRequestContext.run(call, () =>
        this.client.messages.create({ to: message.to, from: this.from, body: message.text }),
      );
      return { providerMessageId: created.sid, acceptedAt: new Date().toISOString() };
    } catch (err) {
      throw classify(err, call);
    }
  }
}

function classify(err: unknown, call: ProviderRequest): ChannelError {
  if (!isRestException(err)) return transportFailureOf(err, call.signal);
  const { status, code } = err;
  const errorClass =
    (code !== undefined ? CLASS_OF_CODE[code] : undefined) ?? classOfHttpStatus(status);
  return new ChannelError(
    errorClass,
    httpDetail(status, code === undefined ? err.message : `${code} ${err.message ?? ''}`),
    {
      status,
      providerCode: code,
      ...(errorClass === 'throttled'
        ? { retryAfterMs: parseRetryAfter(call.response?.headers['retry-after']) }
        : {}),
      cause: err,
    },
  );
}
