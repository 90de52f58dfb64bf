import { ConsoleLogger, Logger } from '@nestjs/common';
import { ChannelError } from '../channels/channel-error';
import { loadConfig } from '../config/load-config';
import { MetricsService } from '../metrics/metrics.service';
import { ProviderBreakers } from './provider-breakers';
import { HANG_MIN_SAMPLES, ProviderHangDetector } from './provider-hang-detector';

const DEADLINE_MS = 2_000;
const FLOOR_MS = 200;
const FACTOR = 5;

const configWith = (env: Record<string, string> = {}) =>
  loadConfig({
    HERALD_SANDBOX: 'true',
    HERALD_AUTH: 'disabled',
    HERALD_PROVIDER_DEADLINE_MS: String(DEADLINE_MS),
    HERALD_BREAKER_ROLLING_WINDOW_MS: '60000',
    HERALD_HANG_LATENCY_FACTOR: String(FACTOR),
    HERALD_HANG_MIN_MS: String(FLOOR_MS),
    ...env,
  }).config;

/** A call the spec settles by hand, with the signal the detector gave it. */
interface HeldCall {
  readonly outcome: Promise<unknown>;
  signal?: AbortSignal;
  answer(value?: unknown): void;
}

describe(ProviderHangDetector.name, () => {
  // The hang is logged by design; the log is not what these specs read.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  let metrics: MetricsService;
  let breakers: ProviderBreakers;
  let detector: ProviderHangDetector;

  const start = (env: Record<string, string> = {}) => {
    const config = configWith(env);
    metrics = new MetricsService();
    breakers = new ProviderBreakers(config, metrics);
    detector = new ProviderHangDetector(config, breakers, metrics);
  };

  beforeEach(() => {
    vi.useFakeTimers();
    start();
  });
  afterEach(() => {
    detector.onApplicationShutdown();
    breakers.onApplicationShutdown();
    vi.useRealTimers();
  });

  /** Starts a call to `provider` through the detector and its breaker, answered by hand. */
  const hold = (provider: 'sendgrid' | 'mailgun' = 'sendgrid'): HeldCall => {
    let answer: (value?: unknown) => void = () => undefined;
    const held = {} as HeldCall & { outcome: Promise<unknown> };
    const outcome = breakers.fire(provider, () =>
      detector.call(provider, DEADLINE_MS, (signal) => {
        held.signal = signal;
        return new Promise((resolve) => {
          answer = resolve;
        });
      }),
    );
    outcome.catch(() => undefined);
    return Object.assign(held, { outcome, answer: (v?: unknown) => answer(v ?? 'ok') });
  };

  /** `n` successful calls of `latencyMs` each, one after another. */
  const history = async (
    n: number,
    latencyMs: number,
    provider: 'sendgrid' | 'mailgun' = 'sendgrid',
  ) => {
    for (let i = 0; i < n; i += 1) {
      const call = hold(provider);
      await vi.advanceTimersByTimeAsync(latencyMs);
      call.answer();
      await call.outcome;
    }
  };

  const counter = async (metric: 'providerHangs' | 'callsAbandoned', provider = 'sendgrid') =>
    (await metrics[metric].get()).values
      .filter((v) => v.labels.provider === provider)
      .reduce((sum, v) => sum + v.value, 0);

  describe('when a provider with a recent latency history stops answering', () => {
    it('abandons every call in flight as an ambiguous timeout once the oldest passes the bound, and opens its breaker', async () => {
      await history(100, 20);
      expect(detector.boundMs('sendgrid')).toBe(FLOOR_MS);

      const calls = Array.from({ length: 50 }, () => hold());
      await vi.advanceTimersByTimeAsync(FLOOR_MS - 10);
      expect(breakers.state('sendgrid')).toBe('closed');
      expect(calls.every((c) => !c.signal!.aborted)).toBe(true);

      await vi.advanceTimersByTimeAsync(40);
      expect(breakers.state('sendgrid')).toBe('open');
      for (const call of calls) {
        await expect(call.outcome).rejects.toMatchObject({
          errorClass: 'timeout',
          ambiguous: true,
          detail: expect.stringMatching(
            /^provider hung: no answer for \d+ ms, over its bound of 200 ms/,
          ),
        });
        expect(call.signal!.aborted).toBe(true);
      }
      expect(detector.inFlight('sendgrid')).toBe(0);
      expect(await counter('providerHangs')).toBe(1);
      expect(await counter('callsAbandoned')).toBe(50);
      const [snapshot] = (await breakers.snapshot()).filter((s) => s.provider === 'sendgrid');
      expect(snapshot!.lastError).toMatchObject({ errorClass: 'timeout' });
    });

    it('derives the bound from the recent p99 when that times the factor exceeds the floor', async () => {
      await history(99, 20);
      await history(1, 100);
      // p99 of 100 samples is the 99th smallest: 20 ms; one more slow call makes it 100 ms.
      expect(detector.boundMs('sendgrid')).toBe(FLOOR_MS);
      await history(1, 100);
      expect(detector.boundMs('sendgrid')).toBe(FACTOR * 100);

      const call = hold();
      await vi.advanceTimersByTimeAsync(FACTOR * 100 - 10);
      expect(call.signal!.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(40);
      await expect(call.outcome).rejects.toMatchObject({ errorClass: 'timeout', ambiguous: true });
    });

    it('ignores an answer that arrives after the call was abandoned', async () => {
      await history(HANG_MIN_SAMPLES, 20);
      const call = hold();
      await vi.advanceTimersByTimeAsync(FLOOR_MS + 30);
      await expect(call.outcome).rejects.toMatchObject({ errorClass: 'timeout' });
      const boundBefore = detector.boundMs('sendgrid');
      call.answer('late');
      await vi.advanceTimersByTimeAsync(10);
      // Not an answer: no latency recorded, still abandoned, nothing in flight.
      expect(detector.boundMs('sendgrid')).toBe(boundBefore);
      expect(detector.inFlight('sendgrid')).toBe(0);
      await expect(call.outcome).rejects.toMatchObject({ errorClass: 'timeout' });
    });
  });

  describe('when the provider is slow but still answering', () => {
    it('leaves an old call alone while other calls keep completing', async () => {
      await history(100, 20);
      const slow = hold();
      // Other calls complete every 50 ms while the slow one waits past the bound.
      for (let i = 0; i < 10; i += 1) await history(1, 50);
      expect(slow.signal!.aborted).toBe(false);
      expect(breakers.state('sendgrid')).toBe('closed');
      slow.answer();
      await expect(slow.outcome).resolves.toBe('ok');
    });

    it('counts a classified failure as an answer', async () => {
      await history(100, 20);
      const slow = hold();
      for (let i = 0; i < 5; i += 1) {
        await vi.advanceTimersByTimeAsync(50);
        await breakers
          .fire('sendgrid', () =>
            detector.call('sendgrid', DEADLINE_MS, () =>
              Promise.reject(new ChannelError('unavailable', '503')),
            ),
          )
          .catch(() => undefined);
      }
      expect(slow.signal!.aborted).toBe(false);
      expect(await counter('providerHangs')).toBe(0);
      slow.answer();
      await slow.outcome;
    });
  });

  describe('when the provider has no recent latency history', () => {
    it('lets the deadline alone decide', async () => {
      await history(HANG_MIN_SAMPLES - 1, 20);
      expect(detector.boundMs('sendgrid')).toBeUndefined();
      const call = hold();
      await vi.advanceTimersByTimeAsync(DEADLINE_MS - 1);
      expect(call.signal!.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await expect(call.outcome).rejects.toMatchObject({
        errorClass: 'timeout',
        detail: `no answer within ${DEADLINE_MS} ms`,
      });
      expect(await counter('providerHangs')).toBe(0);
    });

    it('forgets successes older than the rolling window', async () => {
      await history(100, 20);
      await vi.advanceTimersByTimeAsync(60_001);
      expect(detector.boundMs('sendgrid')).toBeUndefined();
    });
  });

  describe('when another provider hangs', () => {
    it('abandons only that provider’s calls', async () => {
      await history(50, 20, 'sendgrid');
      await history(50, 20, 'mailgun');
      const sendgrid = hold('sendgrid');
      // Mailgun keeps answering within its latency.
      for (let i = 0; i < 10; i += 1) await history(1, 30, 'mailgun');
      await expect(sendgrid.outcome).rejects.toMatchObject({ errorClass: 'timeout' });
      expect(breakers.state('sendgrid')).toBe('open');
      expect(breakers.state('mailgun')).toBe('closed');
      expect(await counter('providerHangs', 'mailgun')).toBe(0);
    });
  });

  describe('when hang detection is off', () => {
    it('waits for the deadline however old the call', async () => {
      detector.onApplicationShutdown();
      breakers.onApplicationShutdown();
      start({ HERALD_HANG_LATENCY_FACTOR: '0' });
      await history(100, 20);
      expect(detector.boundMs('sendgrid')).toBeUndefined();
      const call = hold();
      await vi.advanceTimersByTimeAsync(DEADLINE_MS - 1);
      expect(call.signal!.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await expect(call.outcome).rejects.toMatchObject({
        detail: `no answer within ${DEADLINE_MS} ms`,
      });
    });
  });

  it('keeps no timer while no call is in flight', async () => {
    await history(5, 20);
    // The one timer left is the breakers' window rotation.
    expect(vi.getTimerCount()).toBe(1);
  });
});
