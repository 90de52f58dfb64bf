import {
  type KeyObject,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
} from 'node:crypto';
import type { CapturedMessage } from '../captured-message';
import {
  SANDBOX_MAILGUN_WEBHOOK_SIGNING_KEY,
  type SandboxCredentials,
} from '../../config/sandbox-credentials';
import { EventDispatcher, type EventDeliveryOptions } from './event-dispatcher';
import { EVENT_PROVIDERS, type EventProvider, isEventProvider } from './event-kinds';
import { type EventFilter, EventLog, type EventRecord } from './event-log';
import { planEvents } from './event-plan';
import {
  type ResolvedWebhookSettings,
  type WebhookSettings,
  resolveWebhookSettings,
} from './event-settings';
import { randomUUID } from 'node:crypto';
import type { EventSource, OutboundEvent } from './outbound-event';
import { mailgunEvent } from './mailgun-events';
import { SANDBOX_AWS_ACCOUNT, sesEvent } from './ses-events';
import { SnsTopic } from './sns-topic';
import { sendgridEvent } from './sendgrid-events';
import { statusCallbackOf, twilioEvent } from './twilio-events';

/** Options of the events the simulator sends back (`ProviderSimulatorOptions.events`). */
export interface ProviderEventsOptions extends EventDeliveryOptions {
  /** Each provider's webhook at start (see {@link WebhookSettings}); the control API may change it. */
  readonly webhooks?: Partial<Record<EventProvider, WebhookSettings>>;
  /**
   * SendGrid's signing key: a P-256 private key in PEM (PKCS#8 or SEC1). Default: a key
   * pair generated when the simulator is created; its public key is shown by
   * `GET /_sandbox/webhooks` as SendGrid's dashboard shows it (base64 DER SPKI).
   */
  readonly sendgridPrivateKey?: string;
  /** Mailgun's HTTP webhook signing key. Default {@link SANDBOX_MAILGUN_WEBHOOK_SIGNING_KEY}. */
  readonly mailgunSigningKey?: string;
  /**
   * ARN of the SNS topic SES publishes its events to. Default
   * `arn:aws:sns:<SES region>:000000000000:herald-sandbox-ses-events`.
   */
  readonly snsTopicArn?: string;
  /** Event records kept, oldest dropped first. Default 1000. */
  readonly logSize?: number;
}

/** What a receiver needs to verify each provider's events, as its dashboard would show it. */
export interface WebhookView extends ResolvedWebhookSettings {
  /** SendGrid: the verification key, base64 DER SPKI (`SENDGRID_WEBHOOK_PUBLIC_KEY`). */
  readonly publicKey?: string;
  /** Mailgun: the HTTP webhook signing key. */
  readonly signingKey?: string;
  /** Twilio: the auth token that signs status callbacks. */
  readonly authToken?: string;
  /** SES: the SNS topic its events come from. */
  readonly topicArn?: string;
  /** SES: where the SNS signing certificate is served. */
  readonly signingCertUrl?: string;
  /** SES: the state of the webhook's SNS subscription (`none` without a URL). */
  readonly subscription?: 'none' | 'pending' | 'confirmed';
  /** SES: the subscription's ARN. */
  readonly subscriptionArn?: string;
}

/**
 * The delivery events the simulated providers send back after an accepted send: which
 * events (recipient conventions or the control API's override), their payloads in each
 * provider's documented shape, signed with each provider's own scheme, and their delivery.
 */
export class ProviderEvents {
  private readonly initial: Record<EventProvider, ResolvedWebhookSettings>;
  private settings: Record<EventProvider, ResolvedWebhookSettings>;
  private readonly log: EventLog;
  private readonly dispatcher: EventDispatcher;
  private readonly sendgridKey: KeyObject;
  private readonly mailgunSigningKey: string;
  readonly sendgridPublicKey: string;
  /** The SNS topic SES publishes to, with its signing key and subscription. */
  readonly topic: SnsTopic;
  /** Between start and stop: events go out only while the simulator listens. */
  private running = false;

  constructor(
    private readonly credentials: SandboxCredentials,
    options: ProviderEventsOptions = {},
  ) {
    this.mailgunSigningKey = options.mailgunSigningKey ?? SANDBOX_MAILGUN_WEBHOOK_SIGNING_KEY;
    this.initial = Object.fromEntries(
      EVENT_PROVIDERS.map((p) => [p, this.resolve(p, options.webhooks?.[p])]),
    ) as Record<EventProvider, ResolvedWebhookSettings>;
    this.settings = { ...this.initial };
    this.log = new EventLog(options.logSize ?? 1000);
    this.dispatcher = new EventDispatcher(this.log, options);
    this.sendgridKey = options.sendgridPrivateKey
      ? createPrivateKey(options.sendgridPrivateKey)
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    if (this.sendgridKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new RangeError('events.sendgridPrivateKey must be a P-256 (prime256v1) EC key');
    }
    this.topic = new SnsTopic(
      options.snsTopicArn ??
        `arn:aws:sns:${credentials.ses.region}:${SANDBOX_AWS_ACCOUNT}:herald-sandbox-ses-events`,
    );
    this.sendgridPublicKey = createPublicKey(this.sendgridKey)
      .export({ type: 'spki', format: 'der' })
      .toString('base64');
  }

  /** Called for every accepted send: plans and queues its events, never waiting for them. */
  accepted(message: CapturedMessage): void {
    const provider = message.provider;
    if (!isEventProvider(provider)) return;
    const settings = this.settings[provider];
    const url =
      provider === 'twilio' ? (statusCallbackOf({ message }) ?? settings.url) : settings.url;
    if (url === undefined) return;
    const events = planEvents(provider, message, settings.events).map((event) =>
      this.build(provider, { message, event, url }),
    );
    if (events.length === 0) return;
    if (provider === 'ses' && !this.topic.confirmed) {
      // SNS delivers nothing to an HTTP subscription that was never confirmed.
      for (const event of events) this.dispatcher.skip(event, 'SNS subscription not confirmed');
      return;
    }
    this.dispatcher.enqueue({ delayMs: settings.delayMs, repeat: settings.repeat, events });
  }

  /** Replaces a provider's webhook settings; throws a RangeError naming every bad field. */
  setWebhook(provider: EventProvider, settings: WebhookSettings): ResolvedWebhookSettings {
    this.settings[provider] = this.resolve(provider, settings);
    if (provider === 'ses' && this.running) this.subscribe();
    return this.settings[provider];
  }

  webhooks(): Record<EventProvider, WebhookView> {
    return {
      sendgrid: { ...this.settings.sendgrid, publicKey: this.sendgridPublicKey },
      mailgun: { ...this.settings.mailgun, signingKey: this.mailgunSigningKey },
      ses: {
        ...this.settings.ses,
        topicArn: this.topic.topicArn,
        signingCertUrl: this.topic.signingCertUrl,
        subscription: this.topic.subscription?.status ?? 'none',
        ...(this.topic.subscription ? { subscriptionArn: this.topic.subscription.arn } : {}),
      },
      twilio: { ...this.settings.twilio, authToken: this.credentials.twilio.authToken },
    };
  }

  /** Sent, pending, failed and dropped events, newest first. */
  events(filter?: EventFilter): EventRecord[] {
    return this.log.list(filter);
  }

  clearEvents(): void {
    this.log.clear();
  }

  /** Webhook settings back to those given at start; pending events abandoned; the log cleared. */
  reset(): void {
    this.settings = { ...this.initial };
    this.log.clear();
    if (!this.running) return;
    this.dispatcher.stop();
    this.dispatcher.restart();
    // Its confirmation may have been abandoned with the rest: a pending one is sent again.
    if (this.topic.subscription?.status === 'pending') this.topic.subscribe(undefined);
    this.subscribe();
  }

  stop(): void {
    this.running = false;
    this.dispatcher.stop();
  }

  /** Resumes deliveries once the simulator listens at `baseUrl` (SNS's URLs point there). */
  start(baseUrl: string): void {
    this.topic.attach(baseUrl);
    this.running = true;
    this.dispatcher.restart();
    // A (re)started simulator has a new address: the subscription starts over.
    this.topic.subscribe(undefined);
    this.subscribe();
  }

  /**
   * SNS's handshake: a new SES webhook URL is a new HTTP subscription, sent a signed
   * SubscriptionConfirmation; events reach it once it visited the SubscribeURL.
   */
  private subscribe(): void {
    const subscription = this.topic.subscribe(this.settings.ses.url);
    if (!subscription) return;
    const topic = this.topic;
    const messageId = randomUUID();
    this.dispatcher.enqueue({
      delayMs: 0,
      repeat: 1,
      events: [
        {
          provider: 'ses',
          eventId: messageId,
          kind: 'subscription-confirmation',
          type: 'SubscriptionConfirmation',
          url: subscription.endpoint,
          build: () => topic.subscriptionConfirmation(messageId, subscription),
        },
      ],
    });
  }

  private build(provider: EventProvider, source: EventSource): OutboundEvent {
    switch (provider) {
      case 'sendgrid':
        return sendgridEvent(source, this.sendgridKey);
      case 'twilio':
        return twilioEvent(source, this.credentials.twilio);
      case 'mailgun':
        return mailgunEvent(source, this.mailgunSigningKey);
      case 'ses':
        return sesEvent(source, this.topic, this.credentials.ses.region);
    }
  }

  private resolve(provider: EventProvider, input: unknown): ResolvedWebhookSettings {
    const resolved = resolveWebhookSettings(provider, input);
    if (!resolved.ok) {
      throw new RangeError(`invalid ${provider} webhook: ${resolved.problems.join('; ')}`);
    }
    return resolved.settings;
  }
}
