/**
 * Paths pino censors in every log line. Defence in depth: code should never log these in
 * the first place, but an `err` or context object that carries one must not leak it.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.authorization',
  '*.apiKey',
  '*.api_key',
  '*.key',
  '*.token',
  '*.authToken',
  '*.password',
  '*.secretAccessKey',
  '*.to',
  '*.cc',
  '*.bcc',
  '*.replyTo',
  '*.from',
  '*.subject',
  '*.text',
  '*.html',
  '*.blocks',
  '*.body',
  'config.headers',
  'err.config',
  'err.request',
  'err.response',
] as const;
