import { LATENCY_WINDOW_SIZE, LatencyWindow } from './latency-window';

const NOW = 1_000_000;

describe(LatencyWindow.name, () => {
  describe('when nothing was recorded within its age', () => {
    it('has no quantiles', () => {
      const window = new LatencyWindow(10_000);
      expect(window.quantiles(NOW)).toBeUndefined();
      window.observe(20, NOW - 10_001);
      expect(window.quantiles(NOW)).toBeUndefined();
    });
  });

  describe('when calls were recorded', () => {
    it('gives the nearest-rank p50, p95 and p99 of them, rounded', () => {
      const window = new LatencyWindow(10_000);
      for (let ms = 1; ms <= 100; ms += 1) window.observe(ms + 0.4, NOW);
      expect(window.quantiles(NOW)).toEqual({ p50: 50, p95: 95, p99: 99 });
    });

    it('leaves out the calls older than its age', () => {
      const window = new LatencyWindow(10_000);
      window.observe(5_000, NOW - 20_000);
      window.observe(10, NOW - 1_000);
      expect(window.quantiles(NOW)).toEqual({ p50: 10, p95: 10, p99: 10 });
    });

    it('keeps only the most recent ones once full', () => {
      const window = new LatencyWindow(10_000);
      for (let i = 0; i < LATENCY_WINDOW_SIZE; i += 1) window.observe(1_000, NOW);
      for (let i = 0; i < LATENCY_WINDOW_SIZE; i += 1) window.observe(7, NOW);
      expect(window.quantiles(NOW)).toEqual({ p50: 7, p95: 7, p99: 7 });
    });
  });
});
