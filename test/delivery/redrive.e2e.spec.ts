import { NotificationLifecycle } from '../../src/notifications/notification-lifecycle';
import {
  type ProviderSimulator,
  REJECTED_EMAIL_DOMAIN,
} from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import {
  deliveryEnv,
  emailTo,
  isFinal,
  postNotification,
  startSimulator,
  waitForRecord,
} from './delivery-fixture';

describe(NotificationLifecycle.name, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;
  const retry = (id: string) =>
    fetch(`${herald.url}/v1/notifications/${id}/retry`, { method: 'POST' });

  beforeAll(async () => {
    simulator = await startSimulator();
    herald = await startReadyHerald(
      deliveryEnv(simulator.url, {
        HERALD_EMAIL_PROVIDERS: 'sendgrid',
        HERALD_RETRY_ATTEMPTS: '2',
      }),
    );
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
  });

  describe('when a notification that failed after its rounds is re-driven', () => {
    it('keeps its history: rounds go on counting and a re-drive marker sits between them', async () => {
      simulator.setBehaviour('sendgrid', { mode: 'fail', status: 503 });
      const id = await postNotification(herald.url, emailTo('redrive@example.com'));
      const failed = await waitForRecord(herald.url, id, isFinal, 20_000);
      expect(failed).toMatchObject({ status: 'failed', rounds: 2 });
      const before = failed.attempts.map((a) => a.round);

      simulator.setBehaviour('sendgrid', { mode: 'ok' });
      expect((await retry(id)).status).toBe(202);
      const record = await waitForRecord(herald.url, id, isFinal, 20_000);
      expect(record.status).toBe('sent');
      expect(record.attempts.slice(0, before.length).map((a) => a.round)).toEqual(before);
      const delivered = record.attempts.find((a) => a.outcome === 'sent')!;
      expect(delivered.round).toBeGreaterThan(2);
      expect(record.redrives).toEqual([{ at: expect.any(String), afterRound: 2 }]);
      expect(record.rounds).toBe(delivered.round);
    });
  });

  describe('when a notification was rejected by the provider', () => {
    it('refuses the re-drive with 409 notification_rejected and sends nothing', async () => {
      simulator.setBehaviour('sendgrid', { mode: 'ok' });
      const id = await postNotification(herald.url, emailTo(`nobody@${REJECTED_EMAIL_DOMAIN}`));
      const record = await waitForRecord(herald.url, id, isFinal, 20_000);
      expect(record.failure?.errorClass).toBe('rejected');
      const requests = simulator.requests('sendgrid');

      const answer = await retry(id);
      expect(answer.status).toBe(409);
      expect(await answer.json()).toMatchObject({ code: 'notification_rejected' });
      expect((await waitForRecord(herald.url, id, isFinal)).status).toBe('failed');
      expect(simulator.requests('sendgrid')).toBe(requests);
    });
  });
});
