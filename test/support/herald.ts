import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createApp } from '../../src/app.factory';
import type { HeraldConfig } from '../../src/config/herald-config';
import { loadConfig } from '../../src/config/load-config';
import { redisEnv } from './test-redis';
import { until } from './until';

/** A Redis key prefix no other spec uses, so specs share one redis-server without clashing. */
export function uniquePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/**
 * The environment every spec starts from: the run's Redis (one server, or the cluster under
 * `npm run test:cluster`), a private prefix, quiet logs.
 */
export function testEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    ...redisEnv(uniquePrefix()),
    LOG_LEVEL: 'error',
    HERALD_AUTH: 'disabled',
    // Sandbox mode stays on (so every channel counts as configured) but no process embeds
    // the simulator on its fixed port, which parallel spec files would fight over. Specs that
    // deliver point the providers at a simulator of their own.
    HERALD_SANDBOX_URL: 'http://127.0.0.1:9',
    ...overrides,
  };
}

export interface RunningHerald {
  readonly app: NestFastifyApplication;
  readonly config: HeraldConfig;
  /** Base URL of the listening HTTP server, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a real Herald on a free port with the given environment (see {@link testEnv}). */
export async function startHerald(
  env: Record<string, string | undefined>,
  options: { logDestination?: DestinationStream } = {},
): Promise<RunningHerald> {
  const { config } = loadConfig({ HOST: '127.0.0.1', PORT: '0', ...env });
  const app = await createApp(config, options);
  await app.listen({ port: Number(env.PORT ?? 0), host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    config,
    url: `http://127.0.0.1:${address.port}`,
    close: () => app.close(),
  };
}

/**
 * Starts Herald and waits (up to `ms`) until `/health/ready` answers 200. Herald serves HTTP
 * before its Redis and queue connections are up, answering 503 meanwhile, which is right for a
 * service and a flake for a spec.
 */
export async function startReadyHerald(
  env: Record<string, string | undefined>,
  ms = 10_000,
  options: { logDestination?: DestinationStream } = {},
): Promise<RunningHerald> {
  const herald = await startHerald(env, options);
  try {
    await until(
      async () => (await fetch(`${herald.url}/health/ready`)).status === 200,
      ms,
      'Herald ready',
    );
  } catch (err) {
    await herald.close();
    throw err;
  }
  return herald;
}
