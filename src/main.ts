import 'reflect-metadata';
import { pino } from 'pino';
import { createApp } from './app.factory';
import { ConfigError } from './config/config-error';
import { type LoadedConfig, loadConfig } from './config/load-config';
import type { HeraldConfig } from './config/herald-config';
import { describeRedisUrl, readEnvironment } from './config/read-environment';
import { HeraldLogger } from './logging/herald-logger';
import { baseLogOptions } from './logging/logging.module';
import { logDestination } from './logging/log-destination';
import { installShutdown } from './shutdown';

async function main(): Promise<void> {
  const { env, envFile } = readEnvironment(process.cwd(), process.env);
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      // Before the logger exists, and meant for a human reading a crash: plain stderr.
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const { config, warnings } = loaded;
  const destination = logDestination(process.stdout.isTTY === true);
  // First, which Redis: a newcomer's Herald must not write into someone else's unnoticed.
  pino(baseLogOptions(config), destination).info(
    `Herald (${config.role}) starting: Redis ${redisTarget(config)}, key prefix ` +
      `"${config.queue.prefix}"; ${envFile ? `settings from ${envFile} and the environment` : 'settings from the environment (no .env)'}`,
  );
  const app = await createApp(config, { logDestination: destination });
  const logger = app.get(HeraldLogger);
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

/** Which Redis, for the first log line: the URL without its credentials, or the cluster's seeds. */
function redisTarget(config: HeraldConfig): string {
  const { cluster, url } = config.redis;
  if (!cluster) return describeRedisUrl(url);
  return `Cluster ${cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',')}${cluster.tls ? ' (TLS)' : ''}`;
}
