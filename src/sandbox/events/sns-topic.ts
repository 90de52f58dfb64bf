import {
  type KeyObject,
  createPrivateKey,
  createSign,
  generateKeyPair,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { promisify } from 'node:util';
import type { OutboundRequest } from './outbound-event';
import { type SnsMessageType, snsStringToSign } from './sns-signature';

const generateRsa = promisify(generateKeyPair);

/** Where the simulator serves SNS's own URLs: the certificate, SubscribeURL, UnsubscribeURL. */
export const SNS_PATH = '/_sandbox/sns';

interface SigningKey {
  readonly privateKey: KeyObject;
  /** The self-signed certificate of the key, in PEM. */
  readonly certificate: string;
}

/** The subscription of the SES webhook to the topic, as SNS keeps it. */
export interface SnsSubscription {
  readonly endpoint: string;
  status: 'pending' | 'confirmed';
  readonly token: string;
  readonly arn: string;
}

/**
 * The simulator's SNS topic for SES events: signs messages with SignatureVersion 2
 * (SHA256withRSA) using a key whose self-signed certificate the simulator serves at
 * `SigningCertURL`, and keeps the HTTP subscription SNS would (pending until the endpoint
 * visits the SubscribeURL of the SubscriptionConfirmation it was sent). The key and
 * certificate are made on first use, so a simulator that never sends SES events pays nothing.
 */
export class SnsTopic {
  private key?: Promise<SigningKey>;
  private baseUrl = '';
  subscription?: SnsSubscription;
  /** Names the certificate file as SNS does (`SimpleNotificationService-<32 hex>.pem`). */
  readonly certFile = `SimpleNotificationService-${randomBytes(16).toString('hex')}.pem`;

  constructor(readonly topicArn: string) {}

  attach(baseUrl: string): void {
    this.baseUrl = baseUrl;
  }

  /** The signing key and its certificate. */
  signingKey(): Promise<SigningKey> {
    this.key ??= makeSigningKey();
    return this.key;
  }

  get signingCertUrl(): string {
    return `${this.baseUrl}${SNS_PATH}/${this.certFile}`;
  }

  /** Starts a new subscription of `endpoint` (pending until confirmed), or ends it. */
  subscribe(endpoint: string | undefined): SnsSubscription | undefined {
    if (endpoint === this.subscription?.endpoint) return undefined;
    this.subscription =
      endpoint === undefined
        ? undefined
        : {
            endpoint,
            status: 'pending',
            token: randomBytes(64).toString('hex'),
            arn: `${this.topicArn}:${randomUUID()}`,
          };
    return this.subscription;
  }

  /** SubscribeURL's action: confirms the pending subscription whose token this is. */
  confirm(topicArn: string | undefined, token: string | undefined): SnsSubscription | undefined {
    const subscription = this.subscription;
    if (!subscription || topicArn !== this.topicArn || token !== subscription.token) {
      return undefined;
    }
    subscription.status = 'confirmed';
    return subscription;
  }

  /** UnsubscribeURL's action. */
  unsubscribe(arn: string | undefined): boolean {
    if (!this.subscription || arn !== this.subscription.arn) return false;
    this.subscription = undefined;
    return true;
  }

  get confirmed(): boolean {
    return this.subscription?.status === 'confirmed';
  }

  /** The SubscriptionConfirmation SNS posts to a new HTTP subscription. */
  async subscriptionConfirmation(
    messageId: string,
    subscription: SnsSubscription,
  ): Promise<OutboundRequest> {
    const subscribeUrl = `${this.baseUrl}${SNS_PATH}?${new URLSearchParams({
      Action: 'ConfirmSubscription',
      TopicArn: this.topicArn,
      Token: subscription.token,
    })}`;
    return this.post('SubscriptionConfirmation', messageId, undefined, {
      Token: subscription.token,
      Message: `You have chosen to subscribe to the topic ${this.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: subscribeUrl,
    });
  }

  /** A Notification carrying `message` (SES's event JSON) with id `messageId`. */
  async notification(messageId: string, message: string): Promise<OutboundRequest> {
    return this.post('Notification', messageId, this.subscription?.arn, { Message: message });
  }

  private async post(
    type: SnsMessageType,
    messageId: string,
    subscriptionArn: string | undefined,
    fields: Record<string, string>,
  ): Promise<OutboundRequest> {
    const { privateKey } = await this.signingKey();
    // Key order as SNS sends it; the signature does not depend on it.
    const unsigned: Record<string, string> = {
      Type: type,
      MessageId: messageId,
      ...(fields.Token === undefined ? {} : { Token: fields.Token }),
      TopicArn: this.topicArn,
      Message: fields.Message!,
      ...(fields.SubscribeURL === undefined ? {} : { SubscribeURL: fields.SubscribeURL }),
      Timestamp: new Date().toISOString(),
      SignatureVersion: '2',
    };
    const signer = createSign('sha256WithRSAEncryption');
    signer.update(snsStringToSign(unsigned), 'utf8');
    const message = {
      ...unsigned,
      Signature: signer.sign(privateKey, 'base64'),
      SigningCertURL: this.signingCertUrl,
      ...(type === 'Notification' && subscriptionArn
        ? {
            UnsubscribeURL: `${this.baseUrl}${SNS_PATH}?${new URLSearchParams({
              Action: 'Unsubscribe',
              SubscriptionArn: subscriptionArn,
            })}`,
          }
        : {}),
    };
    return {
      headers: {
        'content-type': 'text/plain; charset=UTF-8',
        'user-agent': 'Amazon Simple Notification Service Agent',
        'x-amz-sns-message-type': type,
        'x-amz-sns-message-id': messageId,
        'x-amz-sns-topic-arn': this.topicArn,
        ...(subscriptionArn && type !== 'SubscriptionConfirmation'
          ? { 'x-amz-sns-subscription-arn': subscriptionArn }
          : {}),
      },
      body: JSON.stringify(message, null, 2),
    };
  }
}

async function makeSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateRsa('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  // node:crypto reads certificates but cannot make one; node-forge (pure JavaScript, no
  // global side effects) does. Loaded on first use: a simulator without SES events never
  // loads it.
  const { pki, md } = (await import('node-forge')).default;
  const certificate = pki.createCertificate();
  certificate.publicKey = pki.publicKeyFromPem(publicKey);
  certificate.serialNumber = `01${randomBytes(8).toString('hex')}`;
  certificate.validity.notBefore = new Date(Date.now() - 60_000);
  certificate.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const name = [{ name: 'commonName', value: 'sns.simulator.herald.test' }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.sign(pki.privateKeyFromPem(privateKey), md.sha256.create());
  return {
    privateKey: createPrivateKey(privateKey),
    certificate: pki.certificateToPem(certificate),
  };
}
