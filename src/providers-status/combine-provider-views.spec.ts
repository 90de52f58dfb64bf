import { loadConfig } from '../config/load-config';
import { combineProviderViews, errorPercent } from './combine-provider-views';
import type { WorkerProviderView, WorkerSnapshot } from './provider-status.schema';
import { emptyOutcomeCounts } from './rolling-outcome-counts';

const { config } = loadConfig({
  HERALD_SANDBOX: 'true',
  HERALD_EMAIL_PROVIDERS: 'mailgun,sendgrid',
});

function view(overrides: Partial<WorkerProviderView> = {}): WorkerProviderView {
  return {
    provider: 'sendgrid',
    state: 'closed',
    openedAt: null,
    breakerWindow: { calls: 0, failures: 0, errorPercent: 0, rejectedByBreaker: 0 },
    counts: emptyOutcomeCounts(),
    latencyMs: null,
    lastError: null,
    lastSuccessAt: null,
    ...overrides,
  };
}

function worker(workerId: string, providers: WorkerProviderView[]): WorkerSnapshot {
  return {
    workerId,
    role: 'worker',
    publishedAt: '2026-01-01T00:00:00.000Z',
    windowMs: 60_000,
    providers,
  };
}

const counts = (sent: number, unavailable: number, rejected = 0) => ({
  ...emptyOutcomeCounts(),
  sent,
  failed: { ...emptyOutcomeCounts().failed, unavailable, rejected },
});

describe(combineProviderViews.name, () => {
  it('lists every provider in failover order within its kind, with its position', () => {
    const statuses = combineProviderViews(config, [], new Map());
    expect(statuses.map((s) => [s.provider, s.kind, s.position])).toEqual([
      ['mailgun', 'email', 1],
      ['sendgrid', 'email', 2],
      ['ses', 'email', null],
      ['twilio', 'sms', 1],
      ['slack', 'chat', 1],
    ]);
  });

  describe('when no worker reports', () => {
    it('says so with a null state rather than guessing closed', () => {
      const [mailgun] = combineProviderViews(config, [], new Map());
      expect(mailgun).toMatchObject({
        state: null,
        workersByState: { closed: 0, half_open: 0, open: 0 },
        latencyMs: null,
        workers: [],
      });
    });
  });

  describe('when workers disagree', () => {
    const snapshots = [
      worker('w1', [
        view({
          state: 'open',
          counts: counts(1, 4),
          latencyMs: { p50: 10, p95: 90, p99: 120 },
          lastError: {
            errorClass: 'unavailable',
            detail: 'HTTP 503',
            at: '2026-01-01T00:00:05.000Z',
          },
          lastSuccessAt: '2026-01-01T00:00:01.000Z',
        }),
      ]),
      worker('w2', [
        view({
          state: 'half_open',
          counts: counts(5, 0, 2),
          latencyMs: { p50: 30, p95: 40, p99: 200 },
          lastError: { errorClass: 'timeout', detail: 'deadline', at: '2026-01-01T00:00:02.000Z' },
          lastSuccessAt: '2026-01-01T00:00:09.000Z',
        }),
      ]),
      worker('w3', [view({ state: 'closed' })]),
    ];
    const sendgrid = combineProviderViews(config, snapshots, new Map()).find(
      (s) => s.provider === 'sendgrid',
    )!;

    it('shows the worst state and how many workers see each', () => {
      expect(sendgrid.state).toBe('open');
      expect(sendgrid.workersByState).toEqual({ closed: 1, half_open: 1, open: 1 });
    });

    it('sums the counts and keeps each worker’s own view', () => {
      expect(sendgrid.counts).toMatchObject({
        sent: 6,
        failed: { unavailable: 4, rejected: 2 },
      });
      expect(sendgrid.workers.map((w) => [w.workerId, w.state])).toEqual([
        ['w1', 'open'],
        ['w2', 'half_open'],
        ['w3', 'closed'],
      ]);
    });

    it('takes the highest of each latency percentile', () => {
      expect(sendgrid.latencyMs).toEqual({ p50: 30, p95: 90, p99: 200 });
    });

    it('shows the newest last error and last success', () => {
      expect(sendgrid.lastError).toMatchObject({ errorClass: 'unavailable', detail: 'HTTP 503' });
      expect(sendgrid.lastSuccessAt).toBe('2026-01-01T00:00:09.000Z');
    });
  });

  describe('with a cool-down', () => {
    it('shows it while it runs, and not once it is over', () => {
      const now = Date.parse('2026-01-01T00:00:00.000Z');
      const cooling = new Map([
        ['twilio', now + 5_000],
        ['slack', now - 1],
      ] as const);
      const statuses = combineProviderViews(config, [], cooling, now);
      expect(statuses.find((s) => s.provider === 'twilio')!.cooldownUntil).toBe(
        '2026-01-01T00:00:05.000Z',
      );
      expect(statuses.find((s) => s.provider === 'slack')!.cooldownUntil).toBeNull();
    });
  });
});

describe(errorPercent.name, () => {
  it('counts every failure but a rejected message, over all calls', () => {
    expect(errorPercent(counts(6, 3, 1))).toBe(30);
    expect(errorPercent(emptyOutcomeCounts())).toBe(0);
  });
});
