import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { addressOf, isRejectedRecipient } from './email-address';
import { NOTIFICATION_ID_FIELD } from './sandbox-conventions';
import type { SandboxCredentials } from '../config/sandbox-credentials';
import {
  type ProviderAnswer,
  type SimulatedEndpoint,
  basicAuth,
  compact,
  epochSecondsIn,
  fieldsOf,
  stringField,
  stringList,
} from './simulated-endpoint';
import { enforce } from './contracts/provider-contract';
import { mailgunContract } from './contracts/mailgun.contract';

const message = (status: number, text: string): ProviderAnswer => ({
  status,
  body: { message: text },
});

/** Mailgun takes several addresses per field, comma-separated, as well as repeated fields. */
const addressList = (fields: Record<string, unknown>, name: string): string[] =>
  stringList(fields, name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);

/**
 * Mailgun `POST /v3/:domain/messages`: multipart (or form) body, Basic `api:<key>`;
 * `200 {id, message}`. Wrong credentials get a bare `401 Forbidden`; other errors are
 * `{message}`, one problem at a time. Herald's notification id: the user variable
 * `v:herald_notification_id`; other `v:` variables become metadata.
 */
export function mailgunRoutes(credentials: SandboxCredentials['mailgun']): SimulatedEndpoint {
  return {
    provider: 'mailgun',
    path: '/v3/:domain/messages',

    send(request) {
      const auth = basicAuth(request);
      if (auth?.user !== 'api' || auth.password !== credentials.apiKey) {
        return { answer: { status: 401, body: 'Forbidden' } };
      }
      const { domain } = request.params as { domain: string };
      if (domain !== credentials.domain) {
        return { answer: message(404, `Domain not found: ${domain}`) };
      }

      const refused = enforce(mailgunContract, request);
      if (refused) return refused;

      const fields = fieldsOf(request.body);
      const from = stringField(fields, 'from');
      const to = addressList(fields, 'to');
      const cc = addressList(fields, 'cc');
      const bcc = addressList(fields, 'bcc');
      const subject = stringField(fields, 'subject');
      const text = stringField(fields, 'text');
      const html = stringField(fields, 'html');
      const invalid = (list: string[]) =>
        list.some((a) => !addressOf(a) || isRejectedRecipient(addressOf(a)!));

      if (!from) return { answer: message(400, "'from' parameter is missing") };
      if (!addressOf(from)) {
        return {
          answer: message(400, 'from parameter is not a valid address. please check documentation'),
        };
      }
      if (to.length === 0) return { answer: message(400, "'to' parameter is missing") };
      for (const [name, list] of [
        ['to', to],
        ['cc', cc],
        ['bcc', bcc],
      ] as const) {
        if (invalid(list)) {
          return {
            answer: message(
              400,
              `${name} parameter is not a valid address. please check documentation`,
            ),
          };
        }
      }
      if (!subject) return { answer: message(400, "'subject' parameter is missing") };
      if (!text && !html && !stringField(fields, 'template')) {
        return {
          answer: message(
            400,
            "Need at least one of 'text', 'html' or 'template' parameters specified",
          ),
        };
      }

      const variables = Object.fromEntries(
        Object.keys(fields)
          .filter((k) => k.startsWith('v:'))
          .map((k) => [k.slice(2), stringField(fields, k)] as const)
          .filter((e): e is [string, string] => e[1] !== undefined),
      );
      const { [NOTIFICATION_ID_FIELD]: notificationId, ...metadata } = variables;
      const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
      const id = `<${stamp}.${randomBytes(8).toString('hex')}@${domain}>`;
      return {
        answer: { status: 200, body: { id, message: 'Queued. Thank you.' } },
        accepted: compact({
          id,
          to,
          cc,
          bcc,
          from,
          replyTo: stringField(fields, 'h:Reply-To'),
          subject,
          text,
          html,
          metadata,
          notificationId,
        }),
      };
    },

    failure(status) {
      return message(status, STATUS_CODES[status] ?? 'Error');
    },

    throttled(retryAfterSeconds) {
      return {
        ...message(429, 'Too many requests'),
        headers: {
          'retry-after': String(retryAfterSeconds),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': epochSecondsIn(retryAfterSeconds),
        },
      };
    },
  };
}
