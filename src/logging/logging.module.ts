import { hostname } from 'node:os';
import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { HeraldConfig } from '../config/herald-config';
import { HeraldLogger } from './herald-logger';
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

/**
 * Structured logs with a request id; secrets, bodies and recipients are redacted. pino-http's
 * logger and options are nestjs-pino's; its middleware is mounted on no route, since
 * `useRequestLogging` does its work in a Fastify hook (see there), and the application logs
 * through {@link HeraldLogger}.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: HeraldConfig, destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          forRoutes: [],
          pinoHttp: [
            {
              // The request id is Fastify's (see request-id.ts), set on req by RequestLogScope.
              ...baseLogOptions(config),
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
      providers: [HeraldLogger],
      exports: [HeraldLogger],
    };
  }
}
