import type { NotificationChannel } from '../../src/channels/notification-channel';
import type { NotificationMessage } from '../../src/notifications/notification-message.schema';
import {
  type ChannelFixture,
  type Provider,
  classified,
  expectSafe,
  failureOf,
} from './channel-fixtures';

/** One row of a channel's contract table: a message, and whether the provider must refuse it. */
export interface ContractRow<M extends NotificationMessage> {
  readonly message: () => M;
  /** How the channel classifies the provider's refusal; absent: the provider accepts it. */
  readonly refused?: Partial<ReturnType<typeof classified>>;
}

/**
 * A channel's table against its provider's contract, as the simulator enforces it: messages
 * that must go out with no contract violation at all (the full message, the largest one), and
 * messages just past a provider limit, which the provider refuses with its own error.
 */
export function describeProviderContract<
  P extends Provider,
  C extends NotificationChannel,
  M extends NotificationMessage,
>(fixture: ChannelFixture<P, C, M>, rows: Readonly<Record<string, ContractRow<M>>>): void {
  const { provider, sim, channel, send } = fixture;

  describe(`against ${provider}'s request contract`, () => {
    it.each(Object.entries(rows))('%s', async (_name, row) => {
      const message = row.message();
      if (row.refused === undefined) {
        await send(channel(), message);

        expect(sim.simulator.messages({ provider })).toHaveLength(1);
        expect(sim.simulator.contractBreaches(provider)).toEqual([]);
        return;
      }
      fixture.expectContractBreach();
      const { error } = await failureOf(() => send(channel(), message));

      expect(classified(error)).toMatchObject({ ambiguous: false, ...row.refused });
      expectSafe(error);
      const [breach, ...others] = sim.simulator.contractBreaches(provider);
      expect(others).toEqual([]);
      expect(breach).toMatchObject({ enforced: true, status: error.status });
      expect(sim.simulator.messages({ provider })).toEqual([]);
    });
  });
}
