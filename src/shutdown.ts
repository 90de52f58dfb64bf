import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'nestjs-pino';

/**
 * Graceful stop on SIGTERM/SIGINT: the HTTP server stops accepting and drains its in-flight
 * requests, then Nest closes workers (they finish active jobs) and Redis. Hand-written
 * because Nest's own shutdown hooks re-raise the signal (exit 143) and close HTTP last.
 * Work still running after `graceMs` is abandoned: BullMQ hands such a job to another
 * worker once its lock expires, and the record check there prevents a second send.
 */
export function installShutdown(
  app: NestFastifyApplication,
  logger: Logger,
  graceMs: number,
): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining (grace ${graceMs} ms)`);
    const timer = setTimeout(() => {
      logger.warn(`grace period of ${graceMs} ms over: exiting with work in flight`);
      process.exit(1);
    }, graceMs);
    timer.unref();
    try {
      await app.getHttpAdapter().getInstance().close();
      await app.close();
      logger.log('stopped cleanly');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error while stopping');
      process.exit(1);
    }
  };
  // `on`, not `once`: Ctrl-C under `npm start` delivers SIGINT twice (the terminal's and npm's
  // forwarded one), and a second signal must not kill the drain the first one started.
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}
