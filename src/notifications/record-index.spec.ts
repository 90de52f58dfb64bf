import { INDEX_RETENTION_STEP_SECONDS, IndexExpiries } from './record-index';

describe(IndexExpiries.name, () => {
  const TTL = 604_800;
  const T0 = Date.parse('2026-12-01T12:00:00Z');
  const seconds = (ms: number) => Math.ceil(ms / 1000);

  describe('when an index is written for the first time', () => {
    it('asks for an expiry a step beyond what the record needs', () => {
      const plan = new IndexExpiries().plan(['a', 'b'], TTL, T0);
      expect(plan.set).toBe(seconds(T0) + TTL + INDEX_RETENTION_STEP_SECONDS);
      expect(plan.until).toBe(plan.set);
    });
  });

  describe('when the indexes already outlive the record', () => {
    it('asks for nothing within the step, and again once the step has passed', () => {
      const expiries = new IndexExpiries();
      const first = expiries.plan(['a', 'b'], TTL, T0);
      const within = expiries.plan(['a', 'b'], TTL, T0 + (INDEX_RETENTION_STEP_SECONDS - 1) * 1000);
      expect(within).toEqual({ set: 0, until: first.set });
      const after = expiries.plan(['a'], TTL, T0 + (INDEX_RETENTION_STEP_SECONDS + 1) * 1000);
      expect(after.set).toBeGreaterThan(first.set);
    });

    it('still asks when one of the indexes is new, or the record lives longer (scheduled)', () => {
      const expiries = new IndexExpiries();
      expiries.plan(['a'], TTL, T0);
      expect(expiries.plan(['a', 'c'], TTL, T0).set).toBeGreaterThan(0);
      expect(expiries.plan(['a'], TTL + 2 * INDEX_RETENTION_STEP_SECONDS, T0).set).toBeGreaterThan(
        0,
      );
    });
  });
});
