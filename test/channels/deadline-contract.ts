import type { NotificationChannel } from '../../src/channels/notification-channel';
import type { NotificationMessage } from '../../src/notifications/notification-message.schema';
import {
  type ChannelFixture,
  type ConfigOf,
  type Provider,
  SHORT_DEADLINE_MS,
  classified,
  failureOf,
  never,
} from './channel-fixtures';

/**
 * How late after the deadline the rejection may arrive: event-loop slack on a busy machine,
 * yet less than the SDK timeout's margin (250 ms), so only the signal can meet it.
 */
const DEADLINE_TOLERANCE_MS = 200;

/** A signal as the delivery engine's `callWithDeadline` makes it: aborted with a reason. */
function deadlineSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error(`deadline of ${ms} ms`)), ms);
  return controller.signal;
}

/**
 * The deadline behaviour every channel shares: the signal aborts the HTTP
 * request itself, the SDK's own timeout backs it up, and a send whose deadline has passed
 * sends nothing.
 */
export function describeDeadline<
  P extends Provider,
  C extends NotificationChannel,
  M extends NotificationMessage,
>(fixture: ChannelFixture<P, C, M>): void {
  const { sim, provider } = fixture;
  /** The channel under test with the given deadline (every provider's config has one). */
  const channel = (deadlineMs: number) => fixture.channel({ deadlineMs } as Partial<ConfigOf<P>>);
  const sendWith = (c: C, signal: AbortSignal) => fixture.send(c, fixture.message(), signal);
  const send = (signal: AbortSignal) => sendWith(channel(SHORT_DEADLINE_MS), signal);

  describe(`when ${provider} hangs`, () => {
    beforeEach(() => sim.simulator.setBehaviour(provider, { mode: 'hang' }));

    it('rejects as an ambiguous timeout at the deadline and closes the connection', async () => {
      const { error, elapsedMs } = await failureOf(() => send(deadlineSignal(SHORT_DEADLINE_MS)));

      expect(classified(error)).toMatchObject({ errorClass: 'timeout', ambiguous: true });
      expect(elapsedMs).toBeGreaterThanOrEqual(SHORT_DEADLINE_MS - 5);
      expect(elapsedMs).toBeLessThan(SHORT_DEADLINE_MS + DEADLINE_TOLERANCE_MS);
      await vi.waitFor(() => expect(sim.simulator.closedConnections(provider)).toBe(1));
      expect(sim.simulator.requests(provider)).toBe(1);
    });

    it("still times out, on the SDK's own timeout, when the signal never fires", async () => {
      const { error, elapsedMs } = await failureOf(() => send(never()));

      expect(classified(error)).toMatchObject({ errorClass: 'timeout', ambiguous: true });
      expect(elapsedMs).toBeGreaterThanOrEqual(SHORT_DEADLINE_MS);
      expect(elapsedMs).toBeLessThan(SHORT_DEADLINE_MS + 1_000);
      await vi.waitFor(() => expect(sim.simulator.closedConnections(provider)).toBe(1));
      expect(sim.simulator.requests(provider)).toBe(1);
    });
  });

  describe(`when ${provider} is slow and sends run concurrently`, () => {
    it('aborts only the send whose deadline passed, through one shared client', async () => {
      sim.simulator.setBehaviour(provider, { mode: 'ok', latencyMs: 2 * SHORT_DEADLINE_MS });
      const shared = channel(5_000);

      const [short, long] = await Promise.allSettled([
        sendWith(shared, deadlineSignal(SHORT_DEADLINE_MS / 2)),
        sendWith(shared, deadlineSignal(5_000)),
      ]);

      expect(short.status).toBe('rejected');
      expect(classified((short as PromiseRejectedResult).reason)).toMatchObject({
        errorClass: 'timeout',
      });
      expect(long.status).toBe('fulfilled');
      expect(sim.simulator.requests(provider)).toBe(2);
      expect(sim.simulator.messages({ provider })).toHaveLength(1);
      await vi.waitFor(() => expect(sim.simulator.closedConnections(provider)).toBe(1));
    });
  });

  describe('when the deadline has passed before the send', () => {
    it('sends nothing and rejects as a timeout that is not ambiguous', async () => {
      const { error } = await failureOf(() => send(AbortSignal.abort()));

      expect(classified(error)).toMatchObject({ errorClass: 'timeout', ambiguous: false });
      expect(sim.simulator.requests(provider)).toBe(0);
    });
  });
}
