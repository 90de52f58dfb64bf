import { ProviderBreakers } from '../../src/delivery/provider-breakers';
import { HANG_MIN_SAMPLES, ProviderHangDetector } from '../../src/delivery/provider-hang-detector';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import { until } from '../support/until';
import {
  deliveryEnv,
  emailTo,
  isFinal,
  metricValue,
  postNotification,
  startSimulator,
  waitForRecord,
} from './delivery-fixture';

/**
 * SendGrid's deadline here: long, so a call ended before it was ended by the hang detector,
 * and so far above the bound that a slow machine's latency history still leaves room below it.
 */
const DEADLINE_MS = 10_000;
/** Messages in flight when SendGrid stops answering: one worker's concurrency. */
const IN_FLIGHT = 20;

describe(ProviderHangDetector.name, () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;

  beforeAll(async () => {
    simulator = await startSimulator();
    herald = await startReadyHerald(
      deliveryEnv(simulator.url, {
        SENDGRID_DEADLINE_MS: String(DEADLINE_MS),
        HERALD_WORKER_CONCURRENCY: String(IN_FLIGHT),
        // No half-open trial during the spec: every SendGrid request counted is an abandoned call.
        HERALD_BREAKER_RESET_TIMEOUT_MS: '60000',
        HERALD_BREAKER_ROLLING_WINDOW_MS: '60000',
      }),
    );
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
  });

  /** Sets a provider's fault through the simulator's control route, as an operator would. */
  const setFault = async (provider: string, behaviour: Record<string, unknown>) => {
    const res = await fetch(`${simulator.url}/_sandbox/providers/${provider}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(behaviour),
    });
    expect(res.status).toBe(200);
  };

  const sendAll = async (prefix: string, n: number) => {
    const ids = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        postNotification(herald.url, emailTo(`${prefix}${i}@example.com`)),
      ),
    );
    return Promise.all(ids.map((id) => waitForRecord(herald.url, id, isFinal)));
  };

  describe('when a provider with a latency history stops answering while calls are in flight', () => {
    it('abandons those calls before their deadline as ambiguous, and each message is sent once by the next provider', async () => {
      const detector = herald.app.get(ProviderHangDetector);
      const breakers = herald.app.get(ProviderBreakers);

      // A normal latency history: SendGrid answers in 20 ms.
      await setFault('sendgrid', { mode: 'ok', latencyMs: 20 });
      for (let batch = 0; batch * 10 < HANG_MIN_SAMPLES + 10; batch += 1) {
        const healthy = await sendAll(`healthy${batch}-`, 10);
        expect(healthy.every((r) => r.provider === 'sendgrid')).toBe(true);
      }
      const bound = detector.boundMs('sendgrid');
      expect(bound).toBeDefined();
      expect(bound).toBeLessThan(DEADLINE_MS);

      await setFault('sendgrid', { mode: 'hang' });
      const sendgridBefore = simulator.requests('sendgrid');
      const mailgunBefore = simulator.requests('mailgun');

      const records = await sendAll('hung', IN_FLIGHT);

      // Every message went out once, through Mailgun, after SendGrid's call was abandoned as
      // hung — not after its deadline — or skipped because the hang had opened its breaker.
      const abandoned = records.filter((r) => r.attempts[0]?.outcome === 'failed');
      expect(abandoned.length).toBeGreaterThanOrEqual(1);
      for (const record of records) {
        expect(record).toMatchObject({ status: 'sent', provider: 'mailgun', rounds: 1 });
        expect(record.attempts).toHaveLength(2);
        expect(record.attempts[1]).toMatchObject({ provider: 'mailgun', outcome: 'sent' });
      }
      for (const record of abandoned) {
        expect(record.attempts[0]).toMatchObject({
          provider: 'sendgrid',
          outcome: 'failed',
          errorClass: 'timeout',
          ambiguous: true,
          detail: expect.stringMatching(/^provider hung: no answer for \d+ ms, over its bound/),
        });
        // Ended by the detector, below the deadline by construction of the bound.
        expect(record.attempts[0]!.detail).not.toContain('no answer within');
      }
      for (const record of records.filter((r) => !abandoned.includes(r))) {
        expect(record.attempts[0]).toMatchObject({
          provider: 'sendgrid',
          outcome: 'skipped',
          detail: 'breaker open',
        });
      }

      // SendGrid got exactly the abandoned calls, each request closed by the abort; Mailgun
      // exactly one request per message, and its inbox each recipient once.
      expect(simulator.requests('sendgrid') - sendgridBefore).toBe(abandoned.length);
      await until(
        () => simulator.closedConnections('sendgrid') >= abandoned.length,
        5_000,
        'abandoned requests closed',
      );
      expect(simulator.requests('mailgun') - mailgunBefore).toBe(IN_FLIGHT);
      for (const record of records) {
        expect(simulator.messages({ notificationId: record.id })).toEqual([
          expect.objectContaining({ provider: 'mailgun' }),
        ]);
      }

      expect(breakers.state('sendgrid')).toBe('open');
      expect(detector.inFlight('sendgrid')).toBe(0);
      expect(
        await metricValue(herald.app, 'herald_provider_hangs_total', { provider: 'sendgrid' }),
      ).toBe(1);
      expect(
        await metricValue(herald.app, 'herald_provider_calls_abandoned_total', {
          provider: 'sendgrid',
        }),
      ).toBe(abandoned.length);
    });
  });
});
