import { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { NotificationRecordsRepository } from '../../src/notifications/notification-records.repository';
import { SMS, post } from '../notifications/notification-requests';
import { expectWorker } from '../notifications/worker-role';
import { type RunningHerald, startReadyHerald, testEnv } from '../support/herald';

describe('Idempotency-Key with the worker delivering', () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;

  beforeAll(async () => {
    simulator = new ProviderSimulator();
    herald = await startReadyHerald(
      testEnv({ HERALD_ROLE: 'all', HERALD_SANDBOX_URL: await simulator.start(0) }),
    );
    expectWorker(herald);
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
  });

  describe('when 200 requests share 20 keys at once', () => {
    it('delivers exactly 20 messages, one per key', async () => {
      const keys = Array.from({ length: 20 }, (_, k) => `burst-${k}`);
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          post(
            `${herald.url}/v1/notifications`,
            { ...SMS, text: `message ${i % 20}` },
            {
              'idempotency-key': keys[i % 20]!,
            },
          ),
        ),
      );
      expect(answers.every((a) => a.status === 202 || a.status === 409)).toBe(true);
      const ids = [...new Set(answers.filter((a) => a.status === 202).map((a) => a.body.id))];
      expect(ids).toHaveLength(20);

      const records = herald.app.get(NotificationRecordsRepository);
      const until = Date.now() + 20_000;
      for (;;) {
        const statuses = await Promise.all(
          ids.map(async (id) => (await records.get(id as string))?.status),
        );
        if (statuses.every((s) => s === 'sent')) break;
        if (Date.now() > until) throw new Error(`not all sent: ${statuses.join(', ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(simulator.messages({ provider: 'twilio' })).toHaveLength(20);
      for (const id of ids) {
        expect(simulator.messages({ notificationId: id as string })).toHaveLength(1);
      }
    });
  });
});
