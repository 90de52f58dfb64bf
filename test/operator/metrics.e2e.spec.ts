import { QUEUE_STATES } from '../../src/metrics/queue-depth.service';
import { type RunningHerald, startHerald, testEnv } from '../support/herald';
import { freePort } from '../support/redis-server';
import { scrape } from './prometheus';

const HERALD_FAMILIES = {
  herald_provider_sends_total: 'COUNTER',
  herald_provider_send_duration_seconds: 'HISTOGRAM',
  herald_breaker_state: 'GAUGE',
  herald_breaker_transitions_total: 'COUNTER',
  herald_failovers_total: 'COUNTER',
  herald_notifications_total: 'COUNTER',
  herald_queue_jobs: 'GAUGE',
} as const;

describe('GET /metrics', () => {
  describe('in a process that delivers (role all)', () => {
    let herald: RunningHerald;
    beforeAll(async () => {
      herald = await startHerald(testEnv({ HERALD_SANDBOX: 'true', HERALD_SANDBOX_PORT: '0' }));
    });
    afterAll(() => herald?.close());

    it('answers valid Prometheus text exposition with every Herald family and the process metrics', async () => {
      const res = await fetch(`${herald.url}/metrics`);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const metrics = await scrape(herald.url);
      for (const [name, type] of Object.entries(HERALD_FAMILIES)) {
        expect(metrics.family(name), name).toMatchObject({ type, help: expect.any(String) });
        expect(metrics.family(name)!.help.length, `${name} has help`).toBeGreaterThan(0);
      }
      for (const name of [
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
        'nodejs_heap_size_used_bytes',
      ]) {
        expect(metrics.family(name), name).toBeDefined();
      }
      // One breaker per configured provider, all closed.
      expect(
        metrics.family('herald_breaker_state')!.metrics.map((m) => [m.labels?.provider, m.value]),
      ).toEqual(
        expect.arrayContaining([
          ['sendgrid', '0'],
          ['mailgun', '0'],
          ['ses', '0'],
          ['twilio', '0'],
          ['slack', '0'],
        ]),
      );
      // Every sample is a number (the parser keeps them as text). Except prom-client's
      // event-loop-lag mean and deviation: it resets its delay histogram at each scrape, and
      // reports NaN when a loaded machine took no sample since the previous one.
      const mayBeNaN = /^nodejs_eventloop_lag_(mean|stddev)_seconds$/;
      for (const family of metrics.families.filter((f) => !mayBeNaN.test(f.name))) {
        for (const m of family.metrics) {
          for (const v of [m.value, m.count, m.sum].filter((x) => x !== undefined)) {
            expect(Number.isNaN(Number(v)), `${family.name} ${v}`).toBe(false);
          }
        }
      }
    });

    it('reports the queue depth by state', async () => {
      const metrics = await scrape(herald.url);
      expect(
        metrics
          .family('herald_queue_jobs')!
          .metrics.map((m) => m.labels?.state)
          .sort(),
      ).toEqual([...QUEUE_STATES].sort());
    });
  });

  describe('in an api process with jobs waiting for a worker', () => {
    it('counts them as waiting', async () => {
      const herald = await startHerald(testEnv({ HERALD_ROLE: 'api', HERALD_SANDBOX: 'true' }));
      try {
        // Intake answers 503 until the queue's connection is up, which readiness reports.
        await vi.waitFor(
          async () => expect((await fetch(`${herald.url}/health/ready`)).status).toBe(200),
          { timeout: 5_000 },
        );
        for (const to of ['+14155550100', '+14155550101']) {
          const res = await fetch(`${herald.url}/v1/notifications`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ channel: 'sms', to, text: 'hi' }),
          });
          expect(res.status).toBe(202);
        }
        const metrics = await scrape(herald.url);
        expect(metrics.value('herald_queue_jobs', { state: 'waiting' })).toBe(2);
        expect(metrics.value('herald_queue_jobs', { state: 'active' })).toBe(0);
      } finally {
        await herald.close();
      }
    });
  });

  describe('while Redis does not answer', () => {
    it('still answers 200 with the process metrics, and no stale queue depth', async () => {
      const herald = await startHerald(
        testEnv({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, HERALD_ROLE: 'api' }),
      );
      try {
        const started = Date.now();
        const metrics = await scrape(herald.url);
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(metrics.family('process_cpu_user_seconds_total')).toBeDefined();
        expect(metrics.family('herald_queue_jobs')?.metrics ?? []).toEqual([]);
      } finally {
        await herald.close();
      }
    });
  });
});
