import type { ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PinoLogger } from 'nestjs-pino';
import { RequestLogScope } from './request-log-scope';

/**
 * Request logging as a Fastify `onRequest` hook, where nestjs-pino mounted pino-http as Nest
 * middleware: every request runs in its {@link RequestLogScope}, and a line closes each one
 * (`request completed`, or `request errored` with the error for a 5xx), at `info`, exactly as
 * pino-http wrote it. Nest middleware costs each request @fastify/middie's matching and a child
 * logger made up front; here the child is made only when the request logs, and the closing
 * line is only listened for when `info` is logged at all.
 */
export function useRequestLogging(app: NestFastifyApplication): void {
  const root = PinoLogger.root;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      const scope = new RequestLogScope(root, request.raw, request.id);
      // Health checks are polled: they close without a line, as they did under pino-http.
      if (root.isLevelEnabled('info') && !request.url.startsWith('/health')) {
        logWhenClosed(scope, reply.raw);
      }
      RequestLogScope.run(scope, done);
    });
}

/** pino-http's closing line: once, on whichever of finish, close or error comes first. */
function logWhenClosed(scope: RequestLogScope, res: ServerResponse): void {
  const closed = (err?: Error) => {
    res.removeListener('close', closed);
    res.removeListener('finish', closed);
    res.removeListener('error', closed);
    const responseTime = Date.now() - scope.startedAt;
    if (err || res.statusCode >= 500) {
      const error = err ?? new Error(`failed with status code ${res.statusCode}`);
      scope.logger.info({ res, err: error, responseTime }, 'request errored');
      return;
    }
    scope.logger.info({ res, responseTime }, 'request completed');
  };
  res.on('close', closed);
  res.on('finish', closed);
  res.on('error', closed);
}
