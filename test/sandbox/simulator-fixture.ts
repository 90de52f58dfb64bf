import {
  ProviderSimulator,
  type ProviderSimulatorOptions,
} from '../../src/sandbox/provider-simulator';

export interface SimulatorFixture {
  readonly simulator: ProviderSimulator;
  /** Base URL, set once the suite's simulator has started. */
  readonly url: string;
}

/** One simulator on a free port for the enclosing suite, reset before every test. */
export function useSimulator(options?: ProviderSimulatorOptions): SimulatorFixture {
  const simulator = new ProviderSimulator(options);
  const fixture = { simulator, url: '' };
  beforeAll(async () => {
    fixture.url = await simulator.start();
  });
  afterAll(() => simulator.stop());
  beforeEach(() => simulator.reset());
  return fixture;
}
