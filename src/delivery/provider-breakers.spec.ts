import { ConsoleLogger, Logger } from '@nestjs/common';
import { ChannelError } from '../channels/channel-error';
import { loadConfig } from '../config/load-config';
import { MetricsService } from '../metrics/metrics.service';
import { isBreakerOpenError, ProviderBreakers } from './provider-breakers';

const config = loadConfig({
  HERALD_SANDBOX: 'true',
  HERALD_AUTH: 'disabled',
  HERALD_PROVIDER_DEADLINE_MS: '200',
  HERALD_BREAKER_VOLUME_THRESHOLD: '4',
  HERALD_BREAKER_ERROR_THRESHOLD_PERCENT: '50',
  HERALD_BREAKER_RESET_TIMEOUT_MS: '1000',
  HERALD_BREAKER_ROLLING_WINDOW_MS: '10000',
}).config;

const fail = (errorClass: ChannelError['errorClass']) => () =>
  Promise.reject(new ChannelError(errorClass, `${errorClass} for the test`));
const succeed = () => Promise.resolve('ok');

describe(ProviderBreakers.name, () => {
  // State changes are logged by design; the log is not what these specs read.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  let metrics: MetricsService;
  let breakers: ProviderBreakers;

  beforeEach(() => {
    vi.useFakeTimers();
    metrics = new MetricsService();
    breakers = new ProviderBreakers(config, metrics);
  });
  afterEach(() => {
    breakers.onApplicationShutdown();
    vi.useRealTimers();
  });

  const fireAll = async (n: number, action: () => Promise<unknown>) => {
    for (let i = 0; i < n; i += 1) await breakers.fire('sendgrid', action).catch(() => undefined);
  };
  const transitions = async (to: string) =>
    (await metrics.breakerTransitions.get()).values
      .filter((v) => v.labels.provider === 'sendgrid' && v.labels.to === to)
      .reduce((sum, v) => sum + v.value, 0);

  it('builds one closed breaker per configured provider', () => {
    expect(breakers.providers.sort()).toEqual(['mailgun', 'sendgrid', 'ses', 'slack', 'twilio']);
    expect(breakers.state('ses')).toBe('closed');
  });

  describe('when a provider fails after a long healthy spell', () => {
    it('opens after the configured failures in a row, although the window is mostly successes', async () => {
      await fireAll(100, succeed);
      await fireAll(config.breaker.consecutiveFailures - 1, fail('timeout'));
      expect(breakers.state('sendgrid')).toBe('closed');
      await fireAll(1, fail('timeout'));
      expect(breakers.state('sendgrid')).toBe('open');
      expect(await transitions('open')).toBe(1);
    });

    it('starts counting again after a success, and ignores failures that do not count', async () => {
      await fireAll(100, succeed);
      await fireAll(config.breaker.consecutiveFailures - 1, fail('unavailable'));
      await fireAll(1, succeed);
      await fireAll(config.breaker.consecutiveFailures - 1, fail('unavailable'));
      await fireAll(5, fail('rejected'));
      await fireAll(5, fail('throttled'));
      expect(breakers.state('sendgrid')).toBe('closed');
    });
  });

  describe('when failures that count reach the volume threshold', () => {
    it.each(['unavailable', 'timeout', 'misconfigured'] as const)(
      'opens on %s failures, and only then',
      async (errorClass) => {
        await fireAll(3, fail(errorClass));
        expect(breakers.state('sendgrid')).toBe('closed');
        await fireAll(1, fail(errorClass));
        expect(breakers.state('sendgrid')).toBe('open');
        expect(breakers.admits('sendgrid')).toBe(false);
        expect(await transitions('open')).toBe(1);
      },
    );

    it('refuses calls while open without running them', async () => {
      await fireAll(4, fail('unavailable'));
      const action = vi.fn(succeed);
      const refused = await breakers.fire('sendgrid', action).catch((e: unknown) => e);
      expect(isBreakerOpenError(refused)).toBe(true);
      expect(action).not.toHaveBeenCalled();
    });
  });

  describe('when the provider refuses the message or throttles', () => {
    it.each(['rejected', 'throttled'] as const)('never opens on %s answers', async (errorClass) => {
      await fireAll(20, fail(errorClass));
      expect(breakers.state('sendgrid')).toBe('closed');
      const [snapshot] = (await breakers.snapshot()).filter((s) => s.provider === 'sendgrid');
      expect(snapshot!.window).toMatchObject({ calls: 20, failures: 0 });
    });

    it('still rejects the call with the channel error', async () => {
      await expect(breakers.fire('sendgrid', fail('throttled'))).rejects.toMatchObject({
        errorClass: 'throttled',
      });
    });
  });

  describe('after the reset timeout', () => {
    beforeEach(async () => {
      await fireAll(4, fail('timeout'));
      await vi.advanceTimersByTimeAsync(1000);
    });

    it('is half-open and admits exactly one trial', async () => {
      expect(breakers.state('sendgrid')).toBe('half_open');
      expect(breakers.admits('sendgrid')).toBe(true);
      let finish!: (v: string) => void;
      const trial = breakers.fire('sendgrid', () => new Promise<string>((r) => (finish = r)));
      expect(breakers.admits('sendgrid')).toBe(false);
      finish('ok');
      await trial;
      expect(breakers.state('sendgrid')).toBe('closed');
    });

    it('re-opens when the trial fails', async () => {
      await fireAll(1, fail('unavailable'));
      expect(breakers.state('sendgrid')).toBe('open');
      expect(await transitions('open')).toBe(2);
    });

    it('closes on a successful trial with a clean window, so one new failure does not re-open it', async () => {
      await breakers.fire('sendgrid', succeed);
      expect(breakers.state('sendgrid')).toBe('closed');
      await fireAll(1, fail('unavailable'));
      expect(breakers.state('sendgrid')).toBe('closed');
      expect(await transitions('half_open')).toBe(1);
      expect(await transitions('closed')).toBe(1);
      const gauge = (await metrics.breakerState.get()).values.find(
        (v) => v.labels.provider === 'sendgrid',
      );
      expect(gauge?.value).toBe(0);
    });
  });

  it('forgets failures older than the rolling window', async () => {
    await fireAll(3, fail('unavailable'));
    await vi.advanceTimersByTimeAsync(11_000);
    await fireAll(1, fail('unavailable'));
    expect(breakers.state('sendgrid')).toBe('closed');
  });

  it('snapshots state, last error and last success', async () => {
    await breakers.fire('sendgrid', succeed);
    await fireAll(3, fail('unavailable'));
    const snapshot = (await breakers.snapshot()).find((s) => s.provider === 'sendgrid');
    expect(snapshot).toMatchObject({
      state: 'open',
      openedAt: expect.any(String),
      window: { calls: 4, failures: 3, errorPercent: 75, rejectedByBreaker: 0 },
      lastError: { errorClass: 'unavailable', detail: 'unavailable for the test' },
      lastSuccessAt: expect.any(String),
      latencyMs: { p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number) },
    });
  });
});
