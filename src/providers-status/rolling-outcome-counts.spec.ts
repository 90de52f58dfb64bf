import { Counter } from 'prom-client';
import { emptyOutcomeCounts, RollingOutcomeCounts } from './rolling-outcome-counts';

describe(RollingOutcomeCounts.name, () => {
  const WINDOW_MS = 10_000;
  let sends: Counter<'provider' | 'kind' | 'outcome'>;
  let rolling: RollingOutcomeCounts;

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00.000Z') });
    sends = new Counter({
      name: 'sends_total',
      help: 'test',
      labelNames: ['provider', 'kind', 'outcome'] as const,
      registers: [],
    });
    rolling = new RollingOutcomeCounts(sends, WINDOW_MS);
  });
  afterEach(() => vi.useRealTimers());

  /** Moves the clock on one publication period at a time, sampling as the publisher does. */
  async function elapse(ms: number, step = 1_000): Promise<void> {
    for (let t = 0; t < ms; t += step) {
      vi.advanceTimersByTime(step);
      await rolling.sample();
    }
  }

  it('maps each outcome of the send counter onto the operator counts', async () => {
    const inc = (outcome: string, n = 1) =>
      sends.inc({ provider: 'sendgrid', kind: 'email', outcome }, n);
    inc('sent', 3);
    inc('unavailable', 2);
    inc('timeout');
    inc('rejected');
    inc('throttled');
    inc('misconfigured');
    inc('skipped_open', 4);
    inc('skipped_cooldown', 5);
    inc('skipped_rate', 6);
    expect((await rolling.counts()).get('sendgrid')).toEqual({
      sent: 3,
      failed: { rejected: 1, throttled: 1, unavailable: 2, timeout: 1, misconfigured: 1 },
      timedOut: 1,
      shortCircuited: 4,
      skippedCooldown: 5,
      skippedRate: 6,
    });
  });

  it('forgets what happened before the window', async () => {
    sends.inc({ provider: 'mailgun', kind: 'email', outcome: 'sent' }, 5);
    await elapse(4_000);
    sends.inc({ provider: 'mailgun', kind: 'email', outcome: 'sent' }, 2);
    await elapse(WINDOW_MS - 3_000);
    // The first five are now older than the window; the two are not.
    expect((await rolling.counts()).get('mailgun')?.sent).toBe(2);
    await elapse(WINDOW_MS);
    expect((await rolling.counts()).get('mailgun')).toEqual(emptyOutcomeCounts());
  });

  it('counts everything since start while the process is younger than the window', async () => {
    sends.inc({ provider: 'twilio', kind: 'sms', outcome: 'sent' });
    await elapse(3_000);
    sends.inc({ provider: 'twilio', kind: 'sms', outcome: 'sent' });
    expect((await rolling.counts()).get('twilio')?.sent).toBe(2);
  });
});
