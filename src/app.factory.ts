import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, type AppOptions } from './app.module';
import { useAuthentication } from './auth/authentication.hook';
import type { HeraldConfig } from './config/herald-config';
import { setupDocs } from './docs/docs.setup';
import { ProblemFilter } from './errors/problem.filter';
import { HeraldLogger } from './logging/herald-logger';
import { requestId } from './logging/request-id';
import { useRequestLogging } from './logging/request-logging.hook';
import { useJsonBodyParser } from './notifications/json-body.parser';
import { registerProviderEventRoutes } from './provider-events/provider-events.routes';
import { answerUnroutedMethods } from './routing/method-not-allowed.hook';
import { answerRouterError } from './routing/router-errors';
import { refuseLongUrls } from './routing/url-length.hook';
import { loadTemplates } from './templates/load-templates';

/**
 * Builds (but does not start listening) the Herald application for a configuration. Throws
 * `TemplateLoadError` (a `ConfigError`) first, before anything starts, when a template is broken.
 */
export async function createApp(
  config: HeraldConfig,
  options: AppOptions = {},
): Promise<NestFastifyApplication> {
  const templates = loadTemplates(config);
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    // Request logging is Herald's own (useRequestLogging); Fastify's logger stays off.
    logger: false,
    // 503s from a Redis outage must answer fast; a stuck socket must not hold shutdown.
    return503OnClosing: true,
    genReqId: requestId,
    frameworkErrors: answerRouterError,
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  refuseLongUrls(adapter.getInstance());
  answerUnroutedMethods(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, templates, options),
    adapter,
    { bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(HeraldLogger));
  // Before authentication, where nestjs-pino's middleware ran: a refused key is logged too.
  useRequestLogging(app);
  useAuthentication(app, config);
  useJsonBodyParser(app, config.http.bodyLimitBytes);
  if (config.role !== 'worker') await registerProviderEventRoutes(app);
  app.useGlobalFilters(new ProblemFilter());
  setupDocs(app, config);
  return app;
}
