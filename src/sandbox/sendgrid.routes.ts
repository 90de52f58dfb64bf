import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { addressOf, isRejectedRecipient } from './email-address';
import { NOTIFICATION_ID_FIELD } from './sandbox-conventions';
import type { SandboxCredentials } from '../config/sandbox-credentials';
import {
  type ProviderAnswer,
  type SimulatedEndpoint,
  bearerToken,
  compact,
  epochSecondsIn,
  fieldsOf,
} from './simulated-endpoint';
import { enforce } from './contracts/provider-contract';
import { sendgridContract } from './contracts/sendgrid.contract';

interface SendgridError {
  readonly message: string;
  readonly field: string | null;
  readonly help: string | null;
}

const HELP = 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message';

const error = (field: string | null, message: string, anchor?: string): SendgridError => ({
  message,
  field,
  help: anchor ? `${HELP}.${anchor}` : null,
});

const answer = (status: number, errors: SendgridError[]): ProviderAnswer => ({
  status,
  body: { errors },
});

interface EmailObject {
  readonly email?: unknown;
}

const emailsOf = (list: unknown): EmailObject[] =>
  Array.isArray(list) ? list.map((e) => fieldsOf(e)) : [];

/**
 * SendGrid v3 `POST /v3/mail/send`: Bearer API key, JSON body; `202` with an empty body and
 * the message id in `X-Message-Id`. Errors are `{errors: [{message, field, help}]}`, all
 * problems at once. Herald's notification id: `custom_args.herald_notification_id`, in
 * `personalizations[0]` or at the top level; other custom args become metadata.
 */
export function sendgridRoutes(credentials: SandboxCredentials['sendgrid']): SimulatedEndpoint {
  return {
    provider: 'sendgrid',
    path: '/v3/mail/send',

    send(request) {
      const token = bearerToken(request);
      if (token === undefined) {
        return { answer: answer(401, [error(null, 'authorization required')]) };
      }
      if (token !== credentials.apiKey) {
        return {
          answer: answer(401, [
            error(null, 'The provided authorization grant is invalid, expired, or revoked'),
          ]),
        };
      }

      const refused = enforce(sendgridContract, request);
      if (refused) return refused;

      const body = fieldsOf(request.body);
      const errors = validate(body);
      if (errors.length > 0) return { answer: answer(400, errors) };

      const personalizations = (body.personalizations as unknown[]).map((p) => fieldsOf(p));
      const first = personalizations[0]!;
      const content = Array.isArray(body.content) ? body.content.map((c) => fieldsOf(c)) : [];
      const contentOf = (type: string) =>
        content.find((c) => c.type === type)?.value as string | undefined;
      const customArgs = { ...stringRecord(body.custom_args), ...stringRecord(first.custom_args) };
      const { [NOTIFICATION_ID_FIELD]: notificationId, ...metadata } = customArgs;
      const all = (key: string) =>
        personalizations.flatMap((p) => emailsOf(p[key]).map((e) => String(e.email)));
      const id = randomBytes(16).toString('base64url');
      return {
        answer: { status: 202, headers: { 'x-message-id': id } },
        accepted: compact({
          id,
          to: all('to'),
          cc: all('cc'),
          bcc: all('bcc'),
          from: String(fieldsOf(body.from).email),
          replyTo: fieldsOf(body.reply_to).email as string | undefined,
          subject: (first.subject ?? body.subject) as string | undefined,
          text: contentOf('text/plain'),
          html: contentOf('text/html'),
          metadata,
          notificationId,
        }),
      };
    },

    failure(status) {
      return answer(status, [error(null, (STATUS_CODES[status] ?? 'error').toLowerCase())]);
    },

    throttled(retryAfterSeconds) {
      // SendGrid's documented 429 names the reset time; Retry-After is added for clients
      // that only read the standard header.
      return {
        status: 429,
        headers: {
          'retry-after': String(retryAfterSeconds),
          'x-ratelimit-limit': '600',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': epochSecondsIn(retryAfterSeconds),
        },
        body: { errors: [error(null, 'too many requests')] },
      };
    },
  };
}

function validate(body: Record<string, unknown>): SendgridError[] {
  const errors: SendgridError[] = [];
  const from = fieldsOf(body.from);
  if (typeof from.email !== 'string' || from.email === '') {
    errors.push(
      error(
        'from.email',
        'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.  e.g. {"email" : "example@example.com"}  or {"email" : "example@example.com", "name" : "Example Recipient"}',
        'from',
      ),
    );
  } else if (!addressOf(from.email)) {
    errors.push(error('from', 'The from email does not contain a valid address.', 'from'));
  }
  const replyTo = fieldsOf(body.reply_to).email;
  if (typeof replyTo === 'string' && !addressOf(replyTo)) {
    errors.push(
      error('reply_to', 'The reply_to email does not contain a valid address.', 'reply_to'),
    );
  }

  const personalizations = Array.isArray(body.personalizations) ? body.personalizations : [];
  if (personalizations.length === 0) {
    errors.push(
      error(
        'personalizations',
        'The personalizations field is required and must have at least one personalization.',
        'personalizations',
      ),
    );
  }
  personalizations.forEach((raw, i) => {
    const p = fieldsOf(raw);
    if (emailsOf(p.to).length === 0) {
      errors.push(
        error(
          `personalizations.${i}.to`,
          'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
          'personalizations.to',
        ),
      );
    }
    const seen = new Set<string>();
    for (const key of ['to', 'cc', 'bcc'] as const) {
      emailsOf(p[key]).forEach((e, j) => {
        const address = typeof e.email === 'string' ? addressOf(e.email) : undefined;
        if (!address || (key === 'to' && isRejectedRecipient(address))) {
          errors.push(
            error(
              `personalizations.${i}.${key}.${j}.email`,
              'Does not contain a valid address.',
              `personalizations.${key}`,
            ),
          );
        } else if (seen.has(address.toLowerCase())) {
          errors.push(
            error(
              `personalizations.${i}.${key}`,
              `Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [${address}] in the personalizations.${i}.${key} field.`,
              'personalizations',
            ),
          );
        }
        if (address) seen.add(address.toLowerCase());
      });
    }
  });

  const templated = typeof body.template_id === 'string' && body.template_id !== '';
  const subjectEverywhere = personalizations.every(
    (p) => typeof fieldsOf(p).subject === 'string' && fieldsOf(p).subject !== '',
  );
  if (
    !templated &&
    !(typeof body.subject === 'string' && body.subject !== '') &&
    !subjectEverywhere
  ) {
    errors.push(
      error(
        'subject',
        'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
        'subject',
      ),
    );
  }
  const content = Array.isArray(body.content) ? body.content : [];
  if (!templated && content.length === 0) {
    errors.push(
      error(
        'content',
        'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.',
        'content',
      ),
    );
  }
  content.forEach((c, k) => {
    const value = fieldsOf(c).value;
    if (typeof value !== 'string' || value === '') {
      errors.push(
        error(
          `content.${k}.value`,
          'The content value must be a string at least one character in length.',
          'content.value',
        ),
      );
    }
  });
  return errors;
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fieldsOf(value)).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}
