import type { CapturedMessage, MessageFilter } from './captured-message';
import type { ProviderBehaviour, ResolvedBehaviour, SimulatedProvider } from './provider-behaviour';
import type { LoggedRequest } from './request-log';

/**
 * What the simulator's control routes may do to it. The routes depend on this, and
 * `ProviderSimulator` implements it, so the server and its routes do not import each other.
 */
export interface SimulatorControl {
  setBehaviour(provider: SimulatedProvider, behaviour: Partial<ProviderBehaviour>): void;
  behaviours(): Record<SimulatedProvider, ResolvedBehaviour>;
  reset(): void;
  setContractEnforcement(provider: SimulatedProvider, enforce: boolean): void;
  contractEnforcement(): Record<SimulatedProvider, boolean>;
  requestLog(provider?: SimulatedProvider): LoggedRequest[];
  contractBreaches(provider?: SimulatedProvider): LoggedRequest[];
  messages(filter?: MessageFilter): CapturedMessage[];
  clearMessages(): void;
  requests(provider: SimulatedProvider): number;
  closedConnections(provider: SimulatedProvider): number;
}
