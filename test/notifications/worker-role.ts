import { NotificationWorker } from '../../src/delivery/notification.worker';
import type { RunningHerald } from '../support/herald';

/**
 * Fails fast, saying why, when this Herald runs no queue worker: specs that need deliveries
 * would otherwise wait out their timeouts.
 */
export function expectWorker(herald: RunningHerald): void {
  let worker: NotificationWorker | undefined;
  try {
    worker = herald.app.get(NotificationWorker, { strict: false });
  } catch {
    worker = undefined;
  }
  if (!worker) {
    throw new Error(
      'this Herald runs no queue worker: DeliveryModule is not in the worker list of src/app.module.ts',
    );
  }
}
