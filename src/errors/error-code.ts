/**
 * Every stable error code Herald answers with. Callers may branch on these; they never
 * change meaning. `ProblemFilter` maps each to an HTTP status with an exhaustive switch.
 */
export const ERROR_CODES = [
  'validation_failed',
  'malformed_json',
  'invalid_idempotency_key',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'idempotency_key_in_flight',
  'notification_not_retryable',
  'notification_rejected',
  'notification_not_cancellable',
  'payload_too_large',
  'uri_too_long',
  'unsupported_media_type',
  'idempotency_key_reused',
  'channel_not_configured',
  'template_not_found',
  'template_data_invalid',
  'template_render_failed',
  'template_output_invalid',
  'event_endpoint_host_not_allowed',
  'recipient_suppressed',
  'caller_throttled',
  'redis_unavailable',
  'not_ready',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
