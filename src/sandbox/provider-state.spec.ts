import { ProviderState, type Verdict } from './provider-state';

const kinds = (state: ProviderState, n: number) =>
  Array.from({ length: n }, () => state.next().kind as Verdict['kind']);

describe(ProviderState.name, () => {
  it('answers ok by default', () => {
    expect(new ProviderState().next()).toEqual({ kind: 'ok' });
  });

  it('fails the next N calls with the configured status, then behaves as its mode', () => {
    const state = new ProviderState();
    state.set({ mode: 'throttle', failNext: 2, status: 500, retryAfterSeconds: 4 });

    expect([state.next(), state.next(), state.next()]).toEqual([
      { kind: 'fail', status: 500 },
      { kind: 'fail', status: 500 },
      { kind: 'throttle', retryAfterSeconds: 4 },
    ]);
  });

  it('turns a 429 failure into a throttle', () => {
    const state = new ProviderState();
    state.set({ mode: 'fail', status: 429 });

    expect(state.next()).toEqual({ kind: 'throttle', retryAfterSeconds: 1 });
  });

  it('fails about failPercent of the calls, reproducibly for a seed', () => {
    const state = new ProviderState();
    state.set({ mode: 'hang', failPercent: 25, seed: 3 });
    const first = kinds(state, 1_000);
    state.set({ mode: 'hang', failPercent: 25, seed: 3 });

    expect(kinds(state, 1_000)).toEqual(first);
    const failures = first.filter((k) => k === 'fail').length;
    expect(failures).toBeGreaterThan(200);
    expect(failures).toBeLessThan(300);
    expect(first.filter((k) => k !== 'fail').every((k) => k === 'hang')).toBe(true);
  });

  it('replaces the whole behaviour on set, so { mode: "ok" } clears every fault', () => {
    const state = new ProviderState();
    state.set({ mode: 'fail', failNext: 3, latencyMs: 100 });
    state.set({ mode: 'ok' });

    expect(state.behaviour).toEqual({
      mode: 'ok',
      status: 503,
      retryAfterSeconds: 1,
      latencyMs: 0,
      failNext: 0,
      failPercent: 0,
      body: 'json',
    });
  });

  it('names every bad field of an invalid behaviour', () => {
    const state = new ProviderState();

    expect(() => state.set({ mode: 'sulk' as 'ok', status: 200, latencyMs: -1 })).toThrow(
      /mode[\s\S]*status[\s\S]*latencyMs/,
    );
  });
});
