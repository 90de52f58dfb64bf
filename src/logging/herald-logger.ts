import { Inject, Injectable } from '@nestjs/common';
import { Logger, PARAMS_PROVIDER_TOKEN, type Params, PinoLogger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';
import { RequestLogScope } from './request-log-scope';

/** nestjs-pino's PinoLogger, logging through the request's logger inside a request. */
class RequestScopedPinoLogger extends PinoLogger {
  override get logger(): Pino {
    return RequestLogScope.current()?.logger ?? super.logger;
  }
}

/**
 * The application's logger: nestjs-pino's `Logger` (the same lines, the same root logger), whose
 * lines inside a request carry that request (see {@link RequestLogScope}, set by
 * `useRequestLogging` in place of nestjs-pino's middleware).
 */
@Injectable()
export class HeraldLogger extends Logger {
  constructor(@Inject(PARAMS_PROVIDER_TOKEN) params: Params) {
    super(new RequestScopedPinoLogger(params), params);
  }
}
