import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { ProviderCooldowns } from '../../src/delivery/provider-cooldowns';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import {
  deliveryEnv,
  emailTo,
  isFinal,
  postNotification,
  startSimulator,
  waitForRecord,
} from './delivery-fixture';

const CAP_MS = 400;

/** A SendGrid that answers every send with 429 and the given Retry-After, counting the calls. */
async function throttlingSendgrid(
  retryAfter: string,
): Promise<{ server: Server; url: string; calls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls += 1;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': retryAfter });
      res.end(JSON.stringify({ errors: [{ message: 'too many requests' }] }));
    });
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}`, calls: () => calls };
}

describe(ProviderCooldowns.name, () => {
  let simulator: ProviderSimulator;

  beforeAll(async () => {
    simulator = await startSimulator();
  });
  afterAll(async () => {
    await simulator?.stop();
  });

  describe.each(['1e20', '10000000'])(
    'when a provider answers 429 with Retry-After: %s',
    (retryAfter) => {
      let sendgrid: Awaited<ReturnType<typeof throttlingSendgrid>>;
      let herald: RunningHerald;

      beforeAll(async () => {
        sendgrid = await throttlingSendgrid(retryAfter);
        herald = await startReadyHerald(
          deliveryEnv(simulator.url, {
            SENDGRID_BASE_URL: sendgrid.url,
            HERALD_EMAIL_PROVIDERS: 'sendgrid',
            HERALD_RETRY_CAP_MS: String(CAP_MS),
            HERALD_RETRY_ATTEMPTS: '3',
          }),
        );
      });
      afterAll(async () => {
        await herald?.close();
        sendgrid?.server.close();
      });

      it('rests the provider no longer than HERALD_RETRY_CAP_MS, keeps retrying, and fails the notification for good, re-drivable', async () => {
        const id = await postNotification(herald.url, emailTo('bounded@example.com'));
        const record = await waitForRecord(herald.url, id, isFinal, 30_000);
        expect(record.status).toBe('failed');
        expect(record.failure?.errorClass).toBe('exhausted');
        // Each of the three rounds called it: no rest outlived the cap.
        const throttled = record.attempts.filter((a) => a.errorClass === 'throttled');
        expect(throttled.map((a) => a.round)).toEqual([1, 2, 3]);
        expect(sendgrid.calls()).toBe(3);
        const until = await herald.app.get(ProviderCooldowns).until('sendgrid');
        expect(until === undefined || until - Date.now() <= CAP_MS).toBe(true);

        const retry = await fetch(`${herald.url}/v1/notifications/${id}/retry`, { method: 'POST' });
        expect(retry.status).toBe(202);
      });
    },
  );
});
