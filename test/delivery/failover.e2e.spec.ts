import { DeliveryService } from '../../src/delivery/delivery.service';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import {
  deliveryEnv,
  emailTo,
  isFinal,
  metricValue,
  postNotification,
  startSimulator,
  waitForRecord,
} from './delivery-fixture';

describe(DeliveryService.name, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;

  beforeAll(async () => {
    simulator = await startSimulator();
    herald = await startReadyHerald(deliveryEnv(simulator.url));
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
  });
  beforeEach(() => simulator.reset());

  describe('when the primary answers 503', () => {
    it('delivers through the secondary and records both attempts', async () => {
      simulator.setBehaviour('sendgrid', { mode: 'fail', status: 503 });

      const id = await postNotification(herald.url, emailTo('ada@example.com'));
      const record = await waitForRecord(herald.url, id, isFinal);

      expect(record).toMatchObject({ status: 'sent', provider: 'mailgun', rounds: 1 });
      expect(record.providerMessageId).toEqual(expect.any(String));
      expect(record.attempts).toEqual([
        expect.objectContaining({
          provider: 'sendgrid',
          outcome: 'failed',
          errorClass: 'unavailable',
          ambiguous: false,
          round: 1,
        }),
        expect.objectContaining({ provider: 'mailgun', outcome: 'sent', round: 1 }),
      ]);
      expect(simulator.requests('sendgrid')).toBe(1);
      expect(simulator.messages({ notificationId: id })).toEqual([
        expect.objectContaining({ provider: 'mailgun', to: ['ada@example.com'] }),
      ]);
      expect(
        await metricValue(herald.app, 'herald_failovers_total', {
          kind: 'email',
          from: 'sendgrid',
          to: 'mailgun',
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        await metricValue(herald.app, 'herald_provider_sends_total', {
          provider: 'sendgrid',
          outcome: 'unavailable',
        }),
      ).toBeGreaterThanOrEqual(1);
    });
  });

  describe('when every provider is healthy', () => {
    it('delivers through the first provider only', async () => {
      const id = await postNotification(herald.url, emailTo('bob@example.com'));
      const record = await waitForRecord(herald.url, id, isFinal);

      expect(record).toMatchObject({ status: 'sent', provider: 'sendgrid' });
      expect(record.attempts).toHaveLength(1);
      expect(record.attempts[0]).toMatchObject({ provider: 'sendgrid', outcome: 'sent' });
      expect(simulator.requests('mailgun') + simulator.requests('ses')).toBe(0);
    });
  });

  describe('when the message names its own providers', () => {
    it('follows that narrower order and never calls the others', async () => {
      simulator.setBehaviour('ses', { mode: 'fail', status: 500 });

      const id = await postNotification(
        herald.url,
        emailTo('cy@example.com', { providers: ['ses', 'mailgun'] }),
      );
      const record = await waitForRecord(herald.url, id, isFinal);

      expect(record).toMatchObject({ status: 'sent', provider: 'mailgun' });
      expect(record.attempts.map((a) => [a.provider, a.outcome])).toEqual([
        ['ses', 'failed'],
        ['mailgun', 'sent'],
      ]);
      expect(simulator.requests('sendgrid')).toBe(0);
    });
  });
});
