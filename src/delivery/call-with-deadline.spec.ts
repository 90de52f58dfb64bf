import { ChannelError } from '../channels/channel-error';
import { callWithDeadline } from './call-with-deadline';

describe(callWithDeadline.name, () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  describe('when the call answers before the deadline', () => {
    it('resolves with its result and never aborts the signal', async () => {
      let seen: AbortSignal | undefined;
      const result = callWithDeadline(1_000, async (signal) => {
        seen = signal;
        await new Promise((r) => setTimeout(r, 200));
        return 'ok';
      });
      await vi.advanceTimersByTimeAsync(200);
      await expect(result).resolves.toBe('ok');
      await vi.advanceTimersByTimeAsync(2_000);
      expect(seen?.aborted).toBe(false);
    });

    it('passes its ChannelError through unchanged', async () => {
      const refused = new ChannelError('rejected', 'invalid recipient', { status: 400 });
      await expect(callWithDeadline(1_000, () => Promise.reject(refused))).rejects.toBe(refused);
    });
  });

  describe('when the call hangs past the deadline', () => {
    it('aborts the signal and rejects with an ambiguous timeout at the deadline', async () => {
      let seen: AbortSignal | undefined;
      const result = callWithDeadline(300, (signal) => {
        seen = signal;
        return new Promise<never>(() => undefined);
      });
      const outcome = expect(result).rejects.toMatchObject({
        errorClass: 'timeout',
        ambiguous: true,
        detail: 'no answer within 300 ms',
      });
      await vi.advanceTimersByTimeAsync(299);
      expect(seen?.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await outcome;
      expect(seen?.aborted).toBe(true);
      expect(seen?.reason).toBeInstanceOf(ChannelError);
    });

    it('ignores an answer that arrives after the deadline', async () => {
      const result = callWithDeadline(
        100,
        () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), 500)),
      );
      const outcome = expect(result).rejects.toMatchObject({ errorClass: 'timeout' });
      await vi.advanceTimersByTimeAsync(600);
      await outcome;
    });
  });

  describe('when the call is abandoned before its deadline', () => {
    const hung = new ChannelError('timeout', 'provider hung', { ambiguous: true });

    it('aborts the call at once and rejects with the abandon reason, late answer ignored', async () => {
      let seen: AbortSignal | undefined;
      const abandon = new AbortController();
      const result = callWithDeadline(
        2_000,
        (signal) => {
          seen = signal;
          return new Promise<string>((resolve) => setTimeout(() => resolve('late'), 500));
        },
        abandon.signal,
      );
      const outcome = expect(result).rejects.toBe(hung);
      await vi.advanceTimersByTimeAsync(100);
      abandon.abort(hung);
      await outcome;
      expect(seen?.aborted).toBe(true);
      expect(seen?.reason).toBe(hung);
      await vi.advanceTimersByTimeAsync(500);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('does not call at all when abandoned already', async () => {
      const abandon = new AbortController();
      abandon.abort(hung);
      const call = vi.fn(() => Promise.resolve('ok'));
      await expect(callWithDeadline(1_000, call, abandon.signal)).rejects.toBe(hung);
      expect(call).not.toHaveBeenCalled();
    });
  });

  it('turns a synchronous throw into a rejection and leaves no timer behind', async () => {
    const boom = new Error('boom');
    await expect(
      callWithDeadline(100, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(vi.getTimerCount()).toBe(0);
  });
});
