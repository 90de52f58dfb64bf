import { SeededRandom } from './seeded-random';

describe(SeededRandom.name, () => {
  const draws = (seed: number, n = 100) => {
    const random = new SeededRandom(seed);
    return Array.from({ length: n }, () => random.next());
  };

  it('gives the same sequence for the same seed', () => {
    expect(draws(7)).toEqual(draws(7));
  });

  it('gives another sequence for another seed', () => {
    expect(draws(7)).not.toEqual(draws(8));
  });

  it('draws in [0, 1), spread over the range', () => {
    const values = draws(1, 10_000);

    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.filter((v) => v < 0.5).length).toBeGreaterThan(4_800);
    expect(values.filter((v) => v < 0.5).length).toBeLessThan(5_200);
  });
});
