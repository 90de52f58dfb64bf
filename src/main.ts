import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.factory';
import { ConfigError } from './config/config-error';
import { type LoadedConfig, loadConfig } from './config/load-config';
import { installShutdown } from './shutdown';

async function main(): Promise<void> {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      // Before the logger exists, and meant for a human reading a crash: plain stderr.
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const { config, warnings } = loaded;
  const app = await createApp(config);
  const logger = app.get(Logger);
  for (const warning of warnings) logger.warn(warning);
  installShutdown(app, logger, config.shutdownGraceMs);
  await app.listen({ port: config.http.port, host: config.http.host });
  // The bound port, not the configured one: PORT=0 picks a free port.
  const { port } = app.getHttpServer().address() as { port: number };
  logger.log(`Herald (${config.role}) listening on ${config.http.host}:${port}`);
}

main().catch((err: unknown) => {
  // A configuration problem found while the application is built (a broken template) is the
  // operator's to fix: their message, not a stack trace.
  process.stderr.write(
    err instanceof ConfigError
      ? `${err.message}\n`
      : `Herald failed to start: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
});
