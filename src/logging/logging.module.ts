import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { HeraldConfig } from '../config/herald-config';
import { REDACTED_PATHS } from './redaction';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Structured JSON logs with a request id; secrets, bodies and recipients are redacted. */
@Module({})
export class LoggingModule {
  static forRoot(config: HeraldConfig, destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: [
            {
              level: config.log.level,
              redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
              // Honour a caller's X-Request-Id so one id follows a request across services.
              genReqId: (req: IncomingMessage) => {
                const given = req.headers['x-request-id'];
                return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
              },
              customProps: () => ({ service: 'herald', role: config.role }),
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
