import { X509Certificate, createVerify } from 'node:crypto';

/**
 * Verifies an SNS message as AWS documents it ("Verifying the signatures of Amazon SNS
 * messages"), written here from that page rather than taken from the simulator, so the
 * specs check the simulator against the documented algorithm:
 *
 * 1. `SignatureVersion` 1 is SHA1withRSA, 2 is SHA256withRSA; anything else is refused.
 * 2. `SigningCertURL` must come from a trusted host (here: the simulator's).
 * 3. The string to sign is each signed field's name and value, each followed by a newline,
 *    in a fixed order per type — Notification: Message, MessageId, Subject (if present),
 *    Timestamp, TopicArn, Type; SubscriptionConfirmation and UnsubscribeConfirmation:
 *    Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
 * 4. The base64 `Signature` is checked with the certificate's public key.
 *
 * Not a validator package: `sns-validator` (its host pattern can be set) and
 * `sns-payload-validator` both accept only an `https:` certificate URL and fetch it with
 * `https.get`, so neither can read a certificate from the simulator's loopback HTTP URL.
 */
export async function verifySnsMessage(
  message: Record<string, string>,
  trustedOrigin: string,
): Promise<boolean> {
  const algorithm = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' }[message.SignatureVersion ?? ''];
  if (!algorithm) return false;
  if (new URL(message.SigningCertURL ?? '').origin !== trustedOrigin) return false;
  const fields =
    message.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const stringToSign = fields
    .filter((field) => field in message)
    .map((field) => `${field}\n${message[field]}\n`)
    .join('');
  const response = await fetch(message.SigningCertURL!);
  if (!response.ok) return false;
  const certificate = new X509Certificate(await response.text());
  return createVerify(algorithm)
    .update(stringToSign, 'utf8')
    .verify(certificate.publicKey, message.Signature ?? '', 'base64');
}
