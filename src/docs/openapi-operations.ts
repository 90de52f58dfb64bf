import type { ErrorCode } from '../errors/error-code';

/** A header, path or query parameter of an operation. */
export interface DocumentedParameter {
  readonly name: string;
  readonly in: 'header' | 'path' | 'query';
  readonly required: boolean;
  readonly description: string;
  readonly schema: Record<string, unknown>;
}

/** A successful answer: a component schema (JSON) or a media type of its own (text, HTML). */
export interface DocumentedResponse {
  readonly description: string;
  /** A key of the components generated from zod (`openapi-components.ts`). */
  readonly component?: string;
  /** Media type and schema of a non-JSON answer. */
  readonly media?: { readonly type: string; readonly schema: Record<string, unknown> };
  readonly headers?: Readonly<Record<string, { readonly description: string }>>;
}

/** What the document says about one route beyond what Nest's route scan finds. */
export interface DocumentedOperation {
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  /** Behind `Authorization: Bearer <key>` (when `HERALD_AUTH=api-key`). */
  readonly auth?: boolean;
  /** Component of the JSON request body. */
  readonly requestBody?: string;
  /** A request body that is not one JSON component (a provider's webhook), by media type. */
  readonly requestMedia?: Readonly<Record<string, Record<string, unknown>>>;
  readonly parameters?: readonly DocumentedParameter[];
  readonly responses: Readonly<Record<number, DocumentedResponse>>;
  /** Error codes the route may answer with; statuses come from `ProblemFilter`'s mapping. */
  readonly problems: readonly ErrorCode[];
}

const query = (name: string, description: string): DocumentedParameter => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type: 'string' },
});

const notificationId: DocumentedParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The notification id from the 202 answer.',
  schema: { type: 'string' },
};

const eventCaller = query(
  'caller',
  "Admin keys only: that caller's endpoint, e.g. queue:herald-notifications for queue producers.",
);

/**
 * Every problem a `/v1` route may answer with whatever it does: a URL over the length limit
 * (or an id over 100 characters), Herald's auth and storage.
 */
const V1_PROBLEMS: readonly ErrorCode[] = [
  'uri_too_long',
  'unauthorized',
  'caller_throttled',
  'redis_unavailable',
];

/** What a templated message or a preview may meet, besides the usual. */
const TEMPLATE_PROBLEMS: readonly ErrorCode[] = [
  'template_not_found',
  'template_data_invalid',
  'template_render_failed',
  'template_output_invalid',
];

const header = (name: string, required: boolean, description: string): DocumentedParameter => ({
  name,
  in: 'header',
  required,
  description,
  schema: { type: 'string' },
});

/** `channel` and `recipient`, the query of GET and DELETE /v1/suppressions. */
const SUPPRESSION_QUERY: readonly DocumentedParameter[] = [
  {
    name: 'channel',
    in: 'query',
    required: true,
    description: 'email, sms or chat.',
    schema: { type: 'string', enum: ['email', 'sms', 'chat'] },
  },
  {
    name: 'recipient',
    in: 'query',
    required: true,
    description:
      'The e-mail address, E.164 number or Slack channel id, in clear (query strings are never logged).',
    schema: { type: 'string', maxLength: 320 },
  },
];

/** What every provider webhook answers: acknowledged once stored, or refused. */
const WEBHOOK_RESPONSES: DocumentedOperation['responses'] = {
  200: {
    description:
      'Every event stored (or already stored, or for a message Herald does not know): acknowledged.',
    media: {
      type: 'application/json',
      schema: {
        type: 'object',
        properties: { received: { const: true } },
        required: ['received'],
      },
    },
  },
};

/** Problems of a webhook: a bad or missing signature is 401 `unauthorized`, nothing processed. */
const WEBHOOK_PROBLEMS: readonly ErrorCode[] = [
  'unauthorized',
  'payload_too_large',
  'uri_too_long',
  'redis_unavailable',
];

const WEBHOOK_NOTE =
  'No API key: the provider’s signature is the authentication. The raw body (up to 1 MiB) is ' +
  'verified as sent; a 2xx is answered only once every event is stored, so a provider retries ' +
  'what was not. Events are de-duplicated by the provider’s event id.';

/**
 * Every route Herald serves, keyed `METHOD /path` as in the OpenAPI document. The docs spec
 * fails when a route is served but missing here, or listed here but not served.
 */
export const OPERATIONS: Readonly<Record<string, DocumentedOperation>> = {
  'POST /v1/notifications': {
    tag: 'notifications',
    summary: 'Send a notification',
    description:
      'Validates the message (every bad field is listed), stores it and queues it; delivery is ' +
      'asynchronous. With an Idempotency-Key, a retry with the same body answers the original 202 ' +
      'with `Idempotent-Replayed: true` and sends nothing again.',
    auth: true,
    requestBody: 'NotificationMessage',
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          '1–255 printable ASCII characters, scoped to the caller; kept 24 h by default.',
        schema: { type: 'string', pattern: '^[\\x20-\\x7E]{1,255}$' },
      },
    ],
    responses: {
      202: {
        description: 'Accepted and queued.',
        component: 'AcceptedNotification',
        headers: {
          Location: { description: 'The notification: /v1/notifications/{id}.' },
          'Idempotent-Replayed': { description: '`true` when this answers an earlier request.' },
        },
      },
    },
    problems: [
      'validation_failed',
      'malformed_json',
      'invalid_idempotency_key',
      'idempotency_key_in_flight',
      'payload_too_large',
      'unsupported_media_type',
      'idempotency_key_reused',
      'channel_not_configured',
      'recipient_suppressed',
      ...TEMPLATE_PROBLEMS,
      ...V1_PROBLEMS,
    ],
  },
  'GET /v1/notifications': {
    tag: 'notifications',
    summary: "This caller's notifications, newest first, filtered and cursor-paged",
    auth: true,
    parameters: [
      query('status', 'Only this status.'),
      query('channel', 'Only this channel: email, sms or chat.'),
      query('since', 'Created at or after this ISO 8601 time.'),
      query('until', 'Created at or before this ISO 8601 time.'),
      query('idempotencyKey', 'The notification accepted under this Idempotency-Key.'),
      query('limit', 'Page size, 1–100 (default 50); a filtered page may hold fewer.'),
      query('cursor', 'The nextCursor of the page before.'),
      query('caller', "Admin keys only: that caller's notifications."),
    ],
    responses: {
      200: { description: 'A page of records (without attempts).', component: 'NotificationPage' },
    },
    problems: ['validation_failed', ...V1_PROBLEMS],
  },
  'POST /v1/notifications/batch': {
    tag: 'notifications',
    summary: 'Send up to HERALD_BATCH_MAX messages, each accepted or refused on its own',
    auth: true,
    requestBody: 'NotificationBatch',
    responses: {
      200: { description: 'One result per item.', component: 'BatchResults' },
    },
    problems: [
      'validation_failed',
      'malformed_json',
      'payload_too_large',
      'unsupported_media_type',
      ...V1_PROBLEMS,
    ],
  },
  'GET /v1/notifications/{id}': {
    tag: 'notifications',
    summary: "A notification's status and delivery attempts",
    auth: true,
    parameters: [notificationId],
    responses: { 200: { description: 'The record.', component: 'NotificationRecord' } },
    problems: ['not_found', ...V1_PROBLEMS],
  },
  'POST /v1/notifications/{id}/retry': {
    tag: 'notifications',
    summary: 'Re-drive a failed notification',
    auth: true,
    parameters: [notificationId],
    responses: {
      202: { description: 'Queued for a new delivery.', component: 'RetriedNotification' },
    },
    problems: ['not_found', 'notification_not_retryable', 'notification_rejected', ...V1_PROBLEMS],
  },
  'POST /v1/notifications/{id}/cancel': {
    tag: 'notifications',
    summary: 'Cancel a notification not yet being sent',
    auth: true,
    parameters: [notificationId],
    responses: {
      200: { description: 'Cancelled: it will not be sent.', component: 'CancelledNotification' },
    },
    problems: ['not_found', 'notification_not_cancellable', ...V1_PROBLEMS],
  },
  'PUT /v1/event-endpoint': {
    tag: 'events',
    summary: "Register or replace this caller's event endpoint (and enable it)",
    description:
      'Herald posts `notification.sent|delivered|bounced|complained|undelivered|failed|' +
      'suppressed|cancelled` events there, signed per the Standard Webhooks specification. ' +
      'The host must be in HERALD_EVENT_ENDPOINT_HOSTS (else 422 naming `url`). Created: 201 ' +
      'with the signing secret, shown this once; replaced: 200, the secret kept.',
    auth: true,
    requestBody: 'EventEndpointRequest',
    parameters: [eventCaller],
    responses: {
      200: { description: 'Replaced, and enabled.', component: 'EventEndpoint' },
      201: { description: 'Created, with its secret.', component: 'CreatedEventEndpoint' },
    },
    problems: [
      'validation_failed',
      'malformed_json',
      'payload_too_large',
      'unsupported_media_type',
      'event_endpoint_host_not_allowed',
      ...V1_PROBLEMS,
    ],
  },
  'GET /v1/event-endpoint': {
    tag: 'events',
    summary: "This caller's event endpoint: URL, event types, state (never the secret)",
    auth: true,
    parameters: [eventCaller],
    responses: {
      200: {
        description: 'The endpoint; `disabled` says why and since when.',
        component: 'EventEndpoint',
      },
    },
    problems: ['validation_failed', 'not_found', ...V1_PROBLEMS],
  },
  'DELETE /v1/event-endpoint': {
    tag: 'events',
    summary: "Remove this caller's event endpoint",
    auth: true,
    parameters: [eventCaller],
    responses: { 204: { description: 'Removed: events not yet posted are dropped.' } },
    problems: ['validation_failed', 'not_found', ...V1_PROBLEMS],
  },
  'POST /v1/event-endpoint/rotate-secret': {
    tag: 'events',
    summary: 'A new signing secret; the old one keeps signing for 24 hours',
    auth: true,
    parameters: [eventCaller],
    responses: {
      200: { description: 'The new secret, shown this once.', component: 'RotatedSecret' },
    },
    problems: ['validation_failed', 'not_found', ...V1_PROBLEMS],
  },
  'GET /v1/templates': {
    tag: 'templates',
    summary: 'The templates this Herald loaded: channels, locales, data schemas',
    auth: true,
    responses: { 200: { description: 'Every template.', component: 'TemplateList' } },
    problems: V1_PROBLEMS,
  },
  'POST /v1/templates/{name}/preview': {
    tag: 'templates',
    summary: 'Render a template without sending it',
    description:
      'Checks the data and renders the content exactly as a send with the same channel, locale ' +
      'and data would, answering with that content or with the same problems the send would meet.',
    auth: true,
    requestBody: 'TemplatePreviewRequest',
    parameters: [
      {
        name: 'name',
        in: 'path',
        required: true,
        description: 'A template name from GET /v1/templates.',
        schema: { type: 'string' },
      },
    ],
    responses: { 200: { description: 'The rendered content.', component: 'TemplatePreview' } },
    problems: ['validation_failed', 'malformed_json', ...TEMPLATE_PROBLEMS, ...V1_PROBLEMS],
  },
  'GET /v1/providers': {
    tag: 'operator',
    summary: "Every provider's breaker, counts and latency",
    description:
      'Per provider: kind, position in the failover order, cool-down, and for each worker process ' +
      'that published within the last few seconds its breaker state, rolling counts, latency and ' +
      'last error; plus a combined view.',
    auth: true,
    responses: { 200: { description: 'The providers.', component: 'ProvidersStatus' } },
    problems: V1_PROBLEMS,
  },
  'GET /v1/suppressions': {
    tag: 'suppressions',
    summary: 'Check whether a recipient is on a channel’s suppression list (admin keys)',
    auth: true,
    parameters: SUPPRESSION_QUERY,
    responses: {
      200: { description: 'Its place on the list, masked.', component: 'SuppressionAnswer' },
    },
    problems: ['validation_failed', 'forbidden', ...V1_PROBLEMS],
  },
  'PUT /v1/suppressions': {
    tag: 'suppressions',
    summary: 'Put a recipient on a channel’s suppression list (admin keys)',
    description:
      'Replaces any entry it had. Intake then refuses an SMS or chat message to it and drops it ' +
      'from an e-mail.',
    auth: true,
    requestBody: 'SuppressionRequest',
    responses: {
      200: { description: 'It was on the list: entry replaced.', component: 'SuppressionAnswer' },
      201: { description: 'Added.', component: 'SuppressionAnswer' },
    },
    problems: [
      'validation_failed',
      'malformed_json',
      'unsupported_media_type',
      'forbidden',
      ...V1_PROBLEMS,
    ],
  },
  'DELETE /v1/suppressions': {
    tag: 'suppressions',
    summary: 'Take a recipient off a channel’s suppression list (admin keys)',
    auth: true,
    parameters: SUPPRESSION_QUERY,
    responses: {
      200: {
        description: 'Not suppressed now; `removed` says whether it was.',
        component: 'SuppressionAnswer',
      },
    },
    problems: ['validation_failed', 'forbidden', ...V1_PROBLEMS],
  },
  'POST /v1/provider-events/sendgrid': {
    tag: 'provider-events',
    summary: 'SendGrid Event Webhook (signed)',
    description: `${WEBHOOK_NOTE} ECDSA P-256 over the timestamp and the body, checked with SENDGRID_WEBHOOK_PUBLIC_KEY; the timestamp must be within HERALD_WEBHOOK_MAX_AGE_SECONDS.`,
    parameters: [
      header('X-Twilio-Email-Event-Webhook-Signature', true, 'Base64 DER ECDSA signature.'),
      header('X-Twilio-Email-Event-Webhook-Timestamp', true, 'Unix seconds, signed.'),
    ],
    requestMedia: { 'application/json': { type: 'array', items: { type: 'object' } } },
    responses: WEBHOOK_RESPONSES,
    problems: WEBHOOK_PROBLEMS,
  },
  'POST /v1/provider-events/mailgun': {
    tag: 'provider-events',
    summary: 'Mailgun webhook (signed)',
    description: `${WEBHOOK_NOTE} The body's signature object: HMAC-SHA256 of timestamp and token with MAILGUN_WEBHOOK_SIGNING_KEY; a token is accepted with one body only, within the timestamp window.`,
    requestMedia: {
      'application/json': {
        type: 'object',
        properties: { signature: { type: 'object' }, 'event-data': { type: 'object' } },
        required: ['signature', 'event-data'],
      },
    },
    responses: WEBHOOK_RESPONSES,
    problems: WEBHOOK_PROBLEMS,
  },
  'POST /v1/provider-events/ses': {
    tag: 'provider-events',
    summary: 'SES events through an SNS HTTP(S) subscription (signed)',
    description: `${WEBHOOK_NOTE} SNS signature version 1 or 2, with the certificate fetched only from an allowed SNS origin; only allowed topics. A SubscriptionConfirmation is confirmed by visiting its SubscribeURL.`,
    parameters: [
      header('x-amz-sns-message-type', false, 'Notification or SubscriptionConfirmation.'),
    ],
    requestMedia: {
      'text/plain': { type: 'string', description: 'The SNS message as JSON.' },
      'application/json': { type: 'object' },
    },
    responses: WEBHOOK_RESPONSES,
    problems: WEBHOOK_PROBLEMS,
  },
  'POST /v1/provider-events/twilio': {
    tag: 'provider-events',
    summary: 'Twilio SMS status callback (signed)',
    description: `${WEBHOOK_NOTE} HMAC-SHA1 over HERALD_PUBLIC_URL + path and query + the sorted form parameters, keyed by TWILIO_AUTH_TOKEN. Herald sets this URL as StatusCallback on every SMS.`,
    parameters: [
      header('X-Twilio-Signature', true, 'Base64 HMAC-SHA1 signature.'),
      header(
        'I-Twilio-Idempotency-Token',
        false,
        'Names one callback; repeats of it are applied once.',
      ),
    ],
    requestMedia: {
      'application/x-www-form-urlencoded': {
        type: 'object',
        properties: {
          MessageSid: { type: 'string' },
          MessageStatus: { type: 'string' },
          To: { type: 'string' },
          ErrorCode: { type: 'string' },
        },
        required: ['MessageSid', 'MessageStatus'],
      },
    },
    responses: WEBHOOK_RESPONSES,
    problems: WEBHOOK_PROBLEMS,
  },
  'GET /v1/schema/notification.json': {
    tag: 'notifications',
    summary: "The message's JSON Schema, for producers in other languages",
    responses: {
      200: {
        description:
          'A JSON Schema (draft 2020-12) of a queue job: the message plus idempotencyKey.',
        media: { type: 'application/schema+json', schema: { type: 'object' } },
      },
    },
    problems: [],
  },
  'GET /health/live': {
    tag: 'health',
    summary: 'Liveness: the process serves HTTP',
    responses: { 200: { description: 'Alive.', component: 'Liveness' } },
    problems: [],
  },
  'GET /health/ready': {
    tag: 'health',
    summary: 'Readiness: Redis answers (and, in a worker, the queue connection is up)',
    responses: { 200: { description: 'Ready.', component: 'Readiness' } },
    problems: ['not_ready'],
  },
  'GET /metrics': {
    tag: 'operator',
    summary: "This process's Prometheus metrics",
    responses: {
      200: {
        description: 'Prometheus text exposition format.',
        media: { type: 'text/plain; version=0.0.4; charset=utf-8', schema: { type: 'string' } },
      },
    },
    problems: [],
  },
  'GET /status': {
    tag: 'operator',
    summary: 'A self-refreshing HTML status page for humans',
    responses: {
      200: {
        description: "Each provider's state, latency and error rate; the queue depth.",
        media: { type: 'text/html; charset=utf-8', schema: { type: 'string' } },
      },
    },
    problems: [],
  },
};
