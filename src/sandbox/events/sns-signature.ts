/** The fields of an SNS message that its signature covers, by message type, in AWS's order. */
const SIGNED_FIELDS = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
  UnsubscribeConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
} as const;

export type SnsMessageType = keyof typeof SIGNED_FIELDS;

/**
 * The string SNS signs, as AWS documents it for HTTP(S) endpoints: for each signed field of
 * the message's type, in that fixed order, its name, a newline, its value and a newline;
 * a field the message lacks (only `Subject` may be absent) is left out, name and all.
 * Hand-written: no maintained library signs SNS messages (AWS only publishes verifiers).
 */
export function snsStringToSign(message: Readonly<Record<string, unknown>>): string {
  const type = message.Type as SnsMessageType;
  const fields = SIGNED_FIELDS[type];
  if (!fields) throw new RangeError(`not an SNS message type: ${String(message.Type)}`);
  return fields
    .filter((field) => message[field] !== undefined && message[field] !== null)
    .map((field) => `${field}\n${String(message[field])}\n`)
    .join('');
}
