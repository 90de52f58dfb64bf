import {
  type ProviderStatus,
  type ProvidersStatus,
  providersStatusSchema,
} from '../../src/providers-status/provider-status.schema';
import type { ProviderSimulator } from '../../src/sandbox/provider-simulator';
import {
  deliveryEnv,
  emailTo,
  FAST_DELIVERY,
  isFinal,
  postNotification,
  startSimulator,
  waitForRecord,
} from '../delivery/delivery-fixture';
import { type RunningHerald, startReadyHerald } from '../support/herald';
import { until } from '../support/until';
import { scrape } from './prometheus';

const VOLUME = Number(FAST_DELIVERY.HERALD_BREAKER_VOLUME_THRESHOLD);
const RESET_MS = Number(FAST_DELIVERY.HERALD_BREAKER_RESET_TIMEOUT_MS);

describe('the operator surface during a provider outage', () => {
  let simulator: ProviderSimulator;
  let herald: RunningHerald;

  beforeAll(async () => {
    simulator = await startSimulator();
    herald = await startReadyHerald(
      deliveryEnv(simulator.url, {
        HERALD_STATUS_PUBLISH_MS: '100',
        // A Retry-After is clamped to the retry cap: the 429 spec's 30 s must fit under it.
        HERALD_RETRY_CAP_MS: '60000',
      }),
    );
  });
  afterAll(async () => {
    await herald?.close();
    await simulator?.stop();
  });

  const providers = async (): Promise<ProvidersStatus> => {
    const res = await fetch(`${herald.url}/v1/providers`);
    expect(res.status).toBe(200);
    // The answer is exactly what the documented schema says.
    return providersStatusSchema.parse(await res.json());
  };
  const provider = async (name: string): Promise<ProviderStatus> =>
    (await providers()).providers.find((p) => p.provider === name)!;
  const sendOne = async (to: string) =>
    waitForRecord(herald.url, await postNotification(herald.url, emailTo(to)), isFinal);

  it('lists every provider with its kind, position and a closed breaker before any traffic', async () => {
    const status = await providers();
    expect(status.workers).toEqual([expect.objectContaining({ role: 'all', local: true })]);
    expect(status.providers.map((p) => [p.provider, p.kind, p.position])).toEqual([
      ['sendgrid', 'email', 1],
      ['mailgun', 'email', 2],
      ['ses', 'email', 3],
      ['twilio', 'sms', 1],
      ['slack', 'chat', 1],
    ]);
    expect(status.providers.every((p) => p.configured && p.state === 'closed')).toBe(true);
    expect(status.providers[0]).toMatchObject({
      cooldownUntil: null,
      workersByState: { closed: 1, half_open: 0, open: 0 },
      counts: { sent: 0, shortCircuited: 0 },
      latencyMs: null,
      lastError: null,
    });
  });

  describe('when the primary e-mail provider fails and then recovers', () => {
    it('shows the breaker open with the failed counts, counts the failovers, and returns to healthy', async () => {
      simulator.setBehaviour('sendgrid', { mode: 'fail', status: 503 });
      for (let i = 0; i < VOLUME + 2; i += 1) {
        expect(await sendOne(`out${i}@example.com`)).toMatchObject({
          status: 'sent',
          provider: 'mailgun',
        });
      }

      const down = await provider('sendgrid');
      expect(down).toMatchObject({
        state: 'open',
        workersByState: { closed: 0, half_open: 0, open: 1 },
        counts: {
          sent: 0,
          failed: { unavailable: VOLUME, timeout: 0, rejected: 0 },
          shortCircuited: 2,
        },
        errorPercent: 100,
        lastError: { errorClass: 'unavailable', at: expect.any(String) },
        lastSuccessAt: null,
      });
      expect(down.workers[0]).toMatchObject({ state: 'open', openedAt: expect.any(String) });
      expect(down.latencyMs).toEqual({
        p50: expect.any(Number),
        p95: expect.any(Number),
        p99: expect.any(Number),
      });
      expect(await provider('mailgun')).toMatchObject({
        state: 'closed',
        counts: { sent: VOLUME + 2 },
        errorPercent: 0,
      });

      const during = await scrape(herald.url);
      expect(
        during.value('herald_failovers_total', { kind: 'email', from: 'sendgrid', to: 'mailgun' }),
      ).toBe(VOLUME + 2);
      expect(during.value('herald_breaker_state', { provider: 'sendgrid' })).toBe(2);
      expect(
        during.value('herald_provider_sends_total', {
          provider: 'sendgrid',
          outcome: 'unavailable',
        }),
      ).toBe(VOLUME);
      expect(during.value('herald_notifications_total', { kind: 'email', status: 'sent' })).toBe(
        VOLUME + 2,
      );

      // Recovery: after the reset timeout the breaker lets one trial through, which succeeds.
      simulator.setBehaviour('sendgrid', { mode: 'ok' });
      await until(
        async () => (await provider('sendgrid')).state === 'half_open',
        RESET_MS + 1_000,
        'sendgrid half-open in /v1/providers',
      );
      expect(await sendOne('trial@example.com')).toMatchObject({
        status: 'sent',
        provider: 'sendgrid',
      });

      const up = await provider('sendgrid');
      expect(up).toMatchObject({
        state: 'closed',
        workersByState: { closed: 1, half_open: 0, open: 0 },
        counts: { sent: 1 },
        lastSuccessAt: expect.any(String),
      });
      expect(up.workers[0]!.openedAt).toBeNull();
      const after = await scrape(herald.url);
      expect(after.value('herald_breaker_state', { provider: 'sendgrid' })).toBe(0);
      expect(
        after.value('herald_failovers_total', { kind: 'email', from: 'sendgrid', to: 'mailgun' }),
      ).toBe(VOLUME + 2);
    });
  });

  describe('when a provider answers 429', () => {
    it('shows its shared cool-down until the time it asked for', async () => {
      simulator.setBehaviour('twilio', { mode: 'throttle', retryAfterSeconds: 30 });
      const before = Date.now();
      await postNotification(herald.url, { channel: 'sms', to: '+14155550100', text: 'hi' });
      await until(
        async () => (await provider('twilio')).cooldownUntil !== null,
        5_000,
        'twilio cooling down',
      );
      const twilio = await provider('twilio');
      expect(Date.parse(twilio.cooldownUntil!)).toBeGreaterThanOrEqual(before + 29_000);
      expect(twilio.counts.failed.throttled).toBeGreaterThanOrEqual(1);
      // A 429 is the provider protecting itself, not an outage: the breaker stays closed.
      expect(twilio.state).toBe('closed');
      simulator.setBehaviour('twilio', { mode: 'ok' });
    });
  });
});
