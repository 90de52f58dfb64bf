import { setMaxListeners } from 'node:events';
import { ProviderSimulator } from '../../src/sandbox/provider-simulator';

/**
 * Starts Herald's provider simulator in the benchmark process on a free port. Its latency and
 * hang waits each add an abort listener to one shared stop signal, so 50 concurrent requests
 * pass Node's default of 10 listeners and print a false "memory leak" warning: the default is
 * raised for the signal the simulator creates on start.
 */
export async function startSimulator(
  /** Messages it keeps for reading back (its default is 1,000). */
  maxMessages?: number,
): Promise<{ simulator: ProviderSimulator; url: string }> {
  setMaxListeners(1_000);
  const simulator = new ProviderSimulator(maxMessages === undefined ? {} : { maxMessages });
  const url = await simulator.start();
  return { simulator, url };
}
