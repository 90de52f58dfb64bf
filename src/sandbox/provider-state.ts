import {
  type ProviderBehaviour,
  type ResolvedBehaviour,
  resolveBehaviour,
} from './provider-behaviour';
import { SeededRandom } from './seeded-random';

/** What one request gets, decided when it arrives (see {@link ProviderBehaviour}). */
export type Verdict =
  | { readonly kind: 'ok' }
  | { readonly kind: 'fail'; readonly status: number }
  | { readonly kind: 'throttle'; readonly retryAfterSeconds: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'refuse' };

/** One simulated provider's behaviour and counters. */
export class ProviderState {
  /** Requests that reached the provider's route, whatever they were answered. */
  requests = 0;
  /** Requests whose connection the client closed before the simulator answered. */
  closedConnections = 0;
  /**
   * Whether a request that breaks the provider's contract is refused (the default). Off, it
   * is only recorded in the request log and answered as if it conformed: for experiments.
   */
  enforceContract = true;
  private current!: ResolvedBehaviour;
  private random?: SeededRandom;

  constructor() {
    this.reset();
  }

  get behaviour(): ResolvedBehaviour {
    return { ...this.current };
  }

  /** Replaces the behaviour; throws a RangeError naming every bad field. */
  set(behaviour: Partial<ProviderBehaviour>): ResolvedBehaviour {
    const resolved = resolveBehaviour(behaviour);
    if (!resolved.ok) throw new RangeError(`invalid behaviour: ${resolved.problems.join('; ')}`);
    this.current = resolved.behaviour;
    this.random =
      resolved.behaviour.seed === undefined ? undefined : new SeededRandom(resolved.behaviour.seed);
    return this.behaviour;
  }

  reset(): void {
    this.set({});
    this.requests = 0;
    this.closedConnections = 0;
    this.enforceContract = true;
  }

  /** Decides the answer of a request that just arrived; consumes `failNext` and PRNG draws. */
  next(): Verdict {
    const b = this.current;
    if (b.failNext > 0) {
      b.failNext -= 1;
      return this.failure();
    }
    if (b.failPercent > 0 && this.random && this.random.next() * 100 < b.failPercent) {
      return this.failure();
    }
    switch (b.mode) {
      case 'fail':
        return this.failure();
      case 'throttle':
        return { kind: 'throttle', retryAfterSeconds: b.retryAfterSeconds };
      case 'hang':
      case 'refuse':
      case 'ok':
        return { kind: b.mode };
    }
  }

  private failure(): Verdict {
    const { status, retryAfterSeconds } = this.current;
    return status === 429 ? { kind: 'throttle', retryAfterSeconds } : { kind: 'fail', status };
  }
}
