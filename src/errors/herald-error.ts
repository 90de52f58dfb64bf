import type { ErrorCode } from './error-code';

/** One bad field of a request: where it is (JSON pointer-ish path) and what is wrong. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** An error with a stable {@link ErrorCode}; the global filter turns it into problem+json. */
export class HeraldError extends Error {
  constructor(
    readonly code: ErrorCode,
    /** Safe to show a caller: no secret, no message body. */
    message: string,
    readonly extra: {
      readonly errors?: readonly FieldProblem[];
      /** Seconds, sent as the Retry-After header. */
      readonly retryAfterSeconds?: number;
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'HeraldError';
  }
}
