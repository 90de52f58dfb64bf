import { ProviderRateLimits } from '../../src/delivery/provider-rate-limits';
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

describe(ProviderRateLimits.name, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;

  beforeAll(async () => {
    simulator = await startSimulator();
    herald = await startReadyHerald(
      // Deadlines are not under test: a loaded machine must not turn a call into a timeout.
      deliveryEnv(simulator.url, { SENDGRID_MAX_PER_SECOND: '2', SENDGRID_DEADLINE_MS: '2000' }),
    );
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
  });
  beforeEach(() => simulator.reset());

  const sendAll = async (n: number, extra: Record<string, unknown> = {}) => {
    const ids = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        postNotification(herald.url, emailTo(`rate${i}@example.com`, extra)),
      ),
    );
    return Promise.all(ids.map((id) => waitForRecord(herald.url, id, isFinal, 15_000)));
  };

  describe('when a burst exceeds the primary’s send ceiling', () => {
    it('skips it at no cost for the overflow, which the secondary takes', async () => {
      const records = await sendAll(8);

      expect(records.every((r) => r.status === 'sent')).toBe(true);
      const bySendgrid = records.filter((r) => r.provider === 'sendgrid');
      const byMailgun = records.filter((r) => r.provider === 'mailgun');
      // Two per one-second window across all workers: the first window's two went out, and
      // calls spread over L seconds touch at most floor(L) + 2 windows, however slowly a
      // loaded machine ran the burst.
      const starts = bySendgrid.map((r) => Date.parse(r.attempts.at(-1)!.at));
      const spanS = (Math.max(...starts) - Math.min(...starts)) / 1000;
      expect(bySendgrid.length).toBeGreaterThanOrEqual(2);
      expect(bySendgrid.length).toBeLessThanOrEqual(2 * (Math.floor(spanS) + 2));
      expect(byMailgun.length).toBe(8 - bySendgrid.length);
      for (const record of byMailgun) {
        expect(record.attempts[0]).toMatchObject({
          provider: 'sendgrid',
          outcome: 'skipped',
          detail: 'at its rate ceiling of 2/s',
          latencyMs: 0,
        });
      }
      expect(simulator.requests('sendgrid')).toBe(bySendgrid.length);
    });
  });

  describe('when no other provider may take the message', () => {
    it('waits for the next second’s budget instead of failing the round', async () => {
      const records = await sendAll(6, { providers: ['sendgrid'] });

      expect(records.every((r) => r.status === 'sent' && r.provider === 'sendgrid')).toBe(true);
      expect(records.every((r) => r.rounds === 1)).toBe(true);
      const arrivals = simulator
        .messages({ provider: 'sendgrid' })
        .map((m) => Date.parse(m.receivedAt))
        .sort((a, b) => a - b);
      expect(arrivals).toHaveLength(6);
      // Six at two per one-second window need three windows: the last is ≥ 2 s after the first.
      expect(arrivals[5]! - arrivals[0]!).toBeGreaterThanOrEqual(1_900);
    });
  });
});
