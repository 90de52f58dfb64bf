import fc from 'fast-check';
import { retryDelayMs } from './retry-backoff';

const policy = { baseMs: 10_000, capMs: 900_000 };

describe(retryDelayMs.name, () => {
  describe('with the largest draw', () => {
    const top = () => 0.999_999_999;

    it('doubles the ceiling each round from the base', () => {
      expect([1, 2, 3, 4].map((r) => retryDelayMs(r, policy, 0, top))).toEqual([
        10_000, 20_000, 40_000, 80_000,
      ]);
    });

    it('never exceeds the cap, however many rounds', () => {
      expect(retryDelayMs(8, policy, 0, top)).toBe(900_000);
      expect(retryDelayMs(100, policy, 0, top)).toBe(900_000);
    });
  });

  it('waits nothing with the smallest draw (full jitter starts at zero)', () => {
    expect(retryDelayMs(5, policy, 0, () => 0)).toBe(0);
  });

  it('never retries sooner than the largest Retry-After seen', () => {
    expect(retryDelayMs(1, policy, 42_000, () => 0)).toBe(42_000);
    expect(retryDelayMs(1, policy, 1_200_000, () => 0.5)).toBe(1_200_000);
  });

  it('keeps the jittered wait when it is longer than the Retry-After', () => {
    expect(retryDelayMs(3, policy, 1_000, () => 0.5)).toBe(20_000);
  });

  it('always lies within [Retry-After, max(Retry-After, min(cap, base·2^(round-1)))]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (round, baseMs, extraCap, retryAfterMs, draw) => {
          const p = { baseMs, capMs: baseMs + extraCap };
          const delay = retryDelayMs(round, p, retryAfterMs, () => draw);
          const ceiling = Math.min(p.capMs, baseMs * 2 ** (round - 1));
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(retryAfterMs);
          expect(delay).toBeLessThanOrEqual(Math.max(retryAfterMs, ceiling));
        },
      ),
    );
  });

  it('with the defaults (12 rounds, 10 s base, 15 min cap) spans about an hour at most', () => {
    const top = () => 0.999_999_999;
    const total = Array.from({ length: 11 }, (_, i) => retryDelayMs(i + 1, policy, 0, top)).reduce(
      (a, b) => a + b,
    );
    // 10+20+40+80+160+320+640+900×4 s = 81 min at most, about 40 min on average.
    expect(total / 60_000).toBeCloseTo(81.17, 1);
  });
});
