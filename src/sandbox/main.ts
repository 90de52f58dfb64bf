import { Logger } from '@nestjs/common';
import { ConfigError } from '../config/config-error';
import type { HeraldConfig } from '../config/herald-config';
import { loadConfig } from '../config/load-config';
import { readEnvironment } from '../config/read-environment';
import { ProviderSimulator } from './provider-simulator';

/**
 * `npm run sandbox`: the provider simulator alone, on HERALD_SANDBOX_HOST:HERALD_SANDBOX_PORT
 * (default 127.0.0.1:4010), for a developer whose service talks to the providers itself.
 */
async function main(): Promise<void> {
  const logger = new Logger('Sandbox');
  let sandbox: HeraldConfig['sandbox'];
  try {
    sandbox = loadConfig(readEnvironment(process.cwd(), process.env).env).config.sandbox;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const simulator = new ProviderSimulator({
    maxMessages: sandbox.maxMessages,
    allowedHosts: sandbox.allowedHosts,
  });
  const url = await simulator.start(sandbox.port, sandbox.host);
  logger.log(`Provider simulator listening on ${url} (inbox ${url}/, control ${url}/_sandbox/)`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void simulator.stop().then(() => process.exit(0));
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `The provider simulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
