import type { ContractViolation } from './contracts/provider-contract';
import type { SimulatedProvider } from './provider-behaviour';

/** One request that reached a provider's send route, as the simulator answered it. */
export interface LoggedRequest {
  readonly provider: SimulatedProvider;
  /** ISO 8601 time of arrival. */
  readonly receivedAt: string;
  /** The status answered; absent when the simulator hung up or never answered (hang, refuse). */
  readonly status?: number;
  /** Contract violations found (empty when the request conforms or never got that far). */
  readonly violations: readonly ContractViolation[];
  /** Whether the provider's contract was enforced for it (off only by the control API). */
  readonly enforced: boolean;
}

/** The last `capacity` requests, oldest dropped first, so memory stays bounded. */
export class RequestLog {
  private entries: LoggedRequest[] = [];

  constructor(readonly capacity: number) {}

  add(entry: LoggedRequest): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  /** Oldest first, optionally one provider's. */
  list(provider?: SimulatedProvider): LoggedRequest[] {
    return provider === undefined
      ? [...this.entries]
      : this.entries.filter((e) => e.provider === provider);
  }

  clear(): void {
    this.entries = [];
  }
}
