import { randomBytes, randomUUID } from 'node:crypto';
import type { EmailEventKind } from './event-kinds';
import { type EventSource, type OutboundEvent, bareAddress, rawFields } from './outbound-event';
import type { SnsTopic } from './sns-topic';

/** The account id of the simulated AWS account. */
export const SANDBOX_AWS_ACCOUNT = '000000000000';

const REPORTING_MTA = 'simulator.herald.test';

const feedbackId = () => `0100${randomBytes(6).toString('hex')}-${randomUUID()}-000000`;

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

/**
 * The SES event's own part, by kind. Identity notifications (`notificationType`) have no
 * delay event: SES reports a soft bounce it gave up on as a `Transient` bounce. Event
 * publishing (`eventType`, a send with a configuration set) has `DeliveryDelay`.
 */
function eventPart(kind: EmailEventKind, recipient: string, published: boolean, at: string) {
  switch (kind) {
    case 'delivered':
      return {
        type: 'Delivery',
        key: 'delivery',
        value: {
          timestamp: at,
          processingTimeMillis: 120,
          recipients: [recipient],
          smtpResponse: '250 2.6.0 Message received',
          remoteMtaIp: '127.0.0.1',
          reportingMTA: REPORTING_MTA,
        },
      };
    case 'bounce':
      return {
        type: 'Bounce',
        key: 'bounce',
        value: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [
            {
              emailAddress: recipient,
              action: 'failed',
              status: '5.1.1',
              diagnosticCode: 'smtp; 550 5.1.1 user unknown',
            },
          ],
          timestamp: at,
          feedbackId: feedbackId(),
          remoteMtaIp: '127.0.0.1',
          reportingMTA: `dsn; ${REPORTING_MTA}`,
        },
      };
    case 'deferred':
      return published
        ? {
            type: 'DeliveryDelay',
            key: 'deliveryDelay',
            value: {
              timestamp: at,
              delayType: 'TransientCommunicationFailure',
              expirationTime: new Date(Date.parse(at) + 12 * 3600 * 1000).toISOString(),
              delayedRecipients: [
                {
                  emailAddress: recipient,
                  status: '4.4.1',
                  diagnosticCode: 'smtp; 421 4.4.1 Unable to connect to remote host',
                },
              ],
              reportingMTA: REPORTING_MTA,
            },
          }
        : {
            type: 'Bounce',
            key: 'bounce',
            value: {
              bounceType: 'Transient',
              bounceSubType: 'General',
              bouncedRecipients: [
                {
                  emailAddress: recipient,
                  action: 'failed',
                  status: '4.4.7',
                  diagnosticCode: 'smtp; 421 4.4.7 Delivery time expired',
                },
              ],
              timestamp: at,
              feedbackId: feedbackId(),
              reportingMTA: `dsn; ${REPORTING_MTA}`,
            },
          };
    case 'complaint':
      return {
        type: 'Complaint',
        key: 'complaint',
        value: {
          complainedRecipients: [{ emailAddress: recipient }],
          timestamp: at,
          feedbackId: feedbackId(),
          userAgent: 'Herald sandbox feedback loop',
          complaintFeedbackType: 'abuse',
          arrivalDate: at,
        },
      };
  }
}

/**
 * One SES event through SNS: a signed SNS `Notification` whose `Message` is the SES event
 * JSON. A send with a `ConfigurationSetName` gets SES's event-publishing shape
 * (`eventType`, `mail.tags`); any other its identity-notification shape (`notificationType`).
 * Either way `mail.messageId` is the MessageId returned at send. The SNS MessageId is the
 * event's id. Nothing is sent unless the topic's subscription is confirmed (see
 * `ProviderEvents`).
 */
export function sesEvent(source: EventSource, topic: SnsTopic, region: string): OutboundEvent {
  const { message, event, url } = source;
  const kind = event.kind as EmailEventKind;
  const raw = rawFields(message);
  const configurationSet =
    typeof raw.ConfigurationSetName === 'string' ? raw.ConfigurationSetName : undefined;
  const published = configurationSet !== undefined;
  const recipient = bareAddress(event.recipient);
  const snsMessageId = randomUUID();
  const from = message.from ?? '';
  const part = eventPart(kind, recipient, published, new Date().toISOString());

  return {
    provider: 'ses',
    eventId: snsMessageId,
    kind,
    type: part.type,
    messageId: message.id,
    ...(message.notificationId === undefined ? {} : { notificationId: message.notificationId }),
    recipient,
    url,
    async build() {
      const at = new Date().toISOString();
      const tags = Array.isArray(raw.EmailTags)
        ? Object.fromEntries(
            (raw.EmailTags as { Name?: unknown; Value?: unknown }[]).map((t) => [
              String(t.Name),
              [String(t.Value)],
            ]),
          )
        : {};
      const mail = {
        timestamp: message.receivedAt,
        source: bareAddress(from),
        sourceArn: `arn:aws:ses:${region}:${SANDBOX_AWS_ACCOUNT}:identity/${domainOf(bareAddress(from))}`,
        sourceIp: '127.0.0.1',
        sendingAccountId: SANDBOX_AWS_ACCOUNT,
        callerIdentity: 'herald-sandbox',
        messageId: message.id,
        destination: [...message.to, ...(message.cc ?? []), ...(message.bcc ?? [])],
        headersTruncated: false,
        headers: [
          { name: 'From', value: from },
          { name: 'To', value: message.to.join(', ') },
          { name: 'Subject', value: message.subject ?? '' },
          { name: 'MIME-Version', value: '1.0' },
        ],
        commonHeaders: {
          from: [from],
          to: [...message.to],
          messageId: message.id,
          subject: message.subject ?? '',
        },
        ...(published
          ? {
              tags: {
                'ses:configuration-set': [configurationSet],
                'ses:source-ip': ['127.0.0.1'],
                'ses:from-domain': [domainOf(bareAddress(from))],
                'ses:caller-identity': ['herald-sandbox'],
                ...tags,
              },
            }
          : {}),
      };
      const { type, key, value } = part;
      const sesMessage = published
        ? { eventType: type, mail, [key]: { ...value, timestamp: at } }
        : { notificationType: type, mail, [key]: { ...value, timestamp: at } };
      return topic.notification(snsMessageId, JSON.stringify(sesMessage));
    },
  };
}
