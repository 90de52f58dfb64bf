import { randomBytes, randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { parseSigV4, verifySigV4 } from './aws-sigv4';
import { rawBodyOf } from './body-parsers';
import { addressOf, isRejectedRecipient } from './email-address';
import { NOTIFICATION_ID_FIELD } from './sandbox-conventions';
import type { SandboxCredentials } from '../config/sandbox-credentials';
import {
  type ProviderAnswer,
  type SimulatedEndpoint,
  compact,
  fieldsOf,
} from './simulated-endpoint';
import { enforce } from './contracts/provider-contract';
import { sesContract } from './contracts/ses.contract';

/** Error types by status, for failures the simulator is told to produce. */
const TYPE_OF_STATUS: Readonly<Record<number, string>> = {
  400: 'BadRequestException',
  403: 'AccessDeniedException',
  404: 'NotFoundException',
  429: 'TooManyRequestsException',
  500: 'InternalFailure',
  503: 'ServiceUnavailable',
};

/**
 * An AWS JSON error: the type in `x-amzn-ErrorType` (with the service namespace suffix AWS
 * appends; the SDK strips it) and `{message}` in the body.
 */
const awsError = (
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): ProviderAnswer => ({
  status,
  headers: {
    'x-amzn-requestid': randomUUID(),
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.coral.service/`,
    ...headers,
  },
  body: { message },
});

const badRequest = (message: string) => ({
  answer: awsError(400, 'BadRequestException', message),
});

const TAG = /^[A-Za-z0-9_-]+$/;

/**
 * Amazon SES v2 `POST /v2/email/outbound-emails`: JSON, SigV4-signed (the signature is
 * verified with the sandbox secret key); `200 {MessageId}`. Errors carry their type in
 * `x-amzn-ErrorType` and `{message}` in the body. Herald's notification id: the
 * `EmailTags` entry named `herald_notification_id`; other tags become metadata.
 */
export function sesRoutes(credentials: SandboxCredentials['ses']): SimulatedEndpoint {
  return {
    provider: 'ses',
    path: '/v2/email/outbound-emails',

    send(request) {
      const header = request.headers.authorization;
      if (header === undefined) {
        return {
          answer: awsError(
            403,
            'MissingAuthenticationTokenException',
            'Missing Authentication Token',
          ),
        };
      }
      const auth = parseSigV4(header);
      if (!auth) {
        return {
          answer: awsError(
            400,
            'IncompleteSignatureException',
            `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${header.split(/\s/)[0]}`,
          ),
        };
      }
      if (auth.accessKeyId !== credentials.accessKeyId) {
        return {
          answer: awsError(
            403,
            'UnrecognizedClientException',
            'The security token included in the request is invalid.',
          ),
        };
      }
      const signed = verifySigV4(
        auth,
        {
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: rawBodyOf(request),
        },
        credentials.secretAccessKey,
      );
      if (!signed) {
        return {
          answer: awsError(
            403,
            'InvalidSignatureException',
            'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
          ),
        };
      }

      const refused = enforce(sesContract, request);
      if (refused) return refused;

      const body = fieldsOf(request.body);
      const destination = fieldsOf(body.Destination);
      const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
      const to = list(destination.ToAddresses);
      const cc = list(destination.CcAddresses);
      const bcc = list(destination.BccAddresses);
      const replyTo = list(body.ReplyToAddresses);
      const from = typeof body.FromEmailAddress === 'string' ? body.FromEmailAddress : undefined;

      if (!from) return badRequest("Missing required header 'From'.");
      for (const address of [from, ...to, ...cc, ...bcc, ...replyTo]) {
        if (!addressOf(address)) {
          return badRequest(address.includes('@') ? 'Illegal address' : "Missing final '@domain'");
        }
      }
      if (to.length + cc.length + bcc.length === 0) {
        return badRequest('Destination must contain at least one recipient address.');
      }
      const content = fieldsOf(body.Content);
      const simple = fieldsOf(content.Simple);
      if (!content.Simple && !content.Raw && !content.Template) {
        return badRequest('Content must contain one of Simple, Raw or Template.');
      }
      const subject = fieldsOf(simple.Subject).Data as string | undefined;
      const emailBody = fieldsOf(simple.Body);
      const text = fieldsOf(emailBody.Text).Data as string | undefined;
      const html = fieldsOf(emailBody.Html).Data as string | undefined;
      if (content.Simple && !subject) return badRequest('Subject must not be empty.');
      if (content.Simple && !text && !html) {
        return badRequest('Body must contain Text or Html content.');
      }
      const tags = (Array.isArray(body.EmailTags) ? body.EmailTags : []).map((t) => fieldsOf(t));
      for (const tag of tags) {
        for (const [part, value] of [
          ['name', tag.Name],
          ['value', tag.Value],
        ] as const) {
          if (typeof value !== 'string' || !TAG.test(value)) {
            return badRequest(
              `Invalid tag ${part} <${String(value)}>: only alphanumeric ASCII characters, '_', and '-' are allowed.`,
            );
          }
        }
      }
      const rejected = [...to, ...cc, ...bcc].filter((a) => isRejectedRecipient(addressOf(a)!));
      if (rejected.length > 0) {
        return {
          answer: awsError(
            400,
            'MessageRejected',
            `Email address is not verified. The following identities failed the check in region ${credentials.region.toUpperCase()}: ${rejected.join(', ')}`,
          ),
        };
      }

      const tagValues = Object.fromEntries(tags.map((t) => [String(t.Name), String(t.Value)]));
      const { [NOTIFICATION_ID_FIELD]: notificationId, ...metadata } = tagValues;
      const id = `0100${randomBytes(6).toString('hex')}-${randomUUID()}-000000`;
      return {
        answer: {
          status: 200,
          headers: { 'x-amzn-requestid': randomUUID() },
          body: { MessageId: id },
        },
        accepted: compact({
          id,
          to,
          cc,
          bcc,
          from,
          replyTo: replyTo[0],
          subject,
          text,
          html,
          metadata,
          notificationId,
        }),
      };
    },

    failure(status) {
      const type =
        TYPE_OF_STATUS[status] ?? (status >= 500 ? 'InternalFailure' : 'BadRequestException');
      return awsError(status, type, STATUS_CODES[status] ?? 'Error');
    },

    throttled(retryAfterSeconds) {
      return awsError(429, 'TooManyRequestsException', 'Too Many Requests', {
        'retry-after': String(retryAfterSeconds),
      });
    },
  };
}
