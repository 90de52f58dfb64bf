import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import { type DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { HeraldConfig } from '../config/herald-config';
import { REDACTED_PATHS } from './redaction';

/** What every Herald logger shares: level, redaction and the static fields of each line. */
export function baseLogOptions(config: HeraldConfig) {
  return {
    level: config.log.level,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    // Static fields in pino's base: customProps would build a child logger per request.
    base: { pid: process.pid, hostname: hostname(), service: 'herald', role: config.role },
  };
}

/** Structured logs with a request id; secrets, bodies and recipients are redacted. */
@Module({})
export class LoggingModule {
  static forRoot(config: HeraldConfig, destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // nestjs-pino's default route ('{/*splat}') matches nothing under NestJS 12's Fastify
          // adapter, which silently dropped every request log line; this one matches all.
          forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
          pinoHttp: [
            {
              // The request id is Fastify's (see request-id.ts); pino-http reuses req.id.
              ...baseLogOptions(config),
              autoLogging: {
                ignore: (req: IncomingMessage) => req.url?.startsWith('/health') ?? false,
              },
              serializers: {
                // Method and path only: query strings and bodies may carry recipients.
                req: (req: { id: string; method: string; url: string }) => ({
                  id: req.id,
                  method: req.method,
                  path: req.url?.split('?')[0],
                }),
                res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              },
            },
            ...(destination ? [destination] : []),
          ] as never,
        }),
      ],
    };
  }
}
