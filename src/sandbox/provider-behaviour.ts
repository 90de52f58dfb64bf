import { z } from 'zod';
import { PROVIDER_NAMES, type ProviderName } from '../config/config.schema';

/** A provider the simulator answers for: exactly the providers Herald can call. */
export type SimulatedProvider = ProviderName;
export const SIMULATED_PROVIDERS: readonly SimulatedProvider[] = PROVIDER_NAMES;

export const BEHAVIOUR_MODES = ['ok', 'fail', 'throttle', 'hang', 'refuse'] as const;

/**
 * How a simulated provider answers. Set with `ProviderSimulator.setBehaviour` or
 * `PUT /_sandbox/providers/:name`; a new behaviour replaces the old one entirely
 * (fields left out take their defaults), so `{ mode: 'ok' }` always means healthy.
 *
 * How the fields combine, for each request that reaches the provider's route:
 * 1. `latencyMs` is waited first, whatever comes next.
 * 2. While `failNext` > 0 the request fails (see `status`) and `failNext` goes down by one.
 * 3. Otherwise, with `failPercent` > 0, it fails with that probability, drawn from a PRNG
 *    seeded with `seed`: the same seed fails the same calls in the same order.
 * 4. Otherwise `mode` decides.
 *
 * Faults answer before credentials and body are checked, as an outage or a rate limiter in
 * front of the real API would; only a request that gets through is checked like the real
 * provider checks it, and only an accepted one is captured.
 */
export interface ProviderBehaviour {
  /**
   * `ok`: the provider's real checks and answers. `fail`: an error answer with `status`.
   * `throttle`: the provider's own 429 with Retry-After. `hang`: never answers (the client
   * must time out). `refuse`: the connection is reset without an answer.
   */
  mode: (typeof BEHAVIOUR_MODES)[number];
  /** HTTP status of a failure, 400–599. Default 503. A 429 is answered as `throttle` is. */
  status?: number;
  /** Seconds sent as Retry-After by `throttle`. Default 1. */
  retryAfterSeconds?: number;
  /** Milliseconds waited before any answer. Default 0. */
  latencyMs?: number;
  /** Fail this many calls, then behave as `mode`. Counts down as calls arrive. Default 0. */
  failNext?: number;
  /** Percentage (0–100) of calls that fail at random. Default 0. */
  failPercent?: number;
  /** Seed of the `failPercent` draws. Default: a random seed, reported by `behaviours()`. */
  seed?: number;
  /**
   * Body of a failure: the provider's own JSON error (`json`, the default), or an HTML
   * page as a load balancer in front of the provider sends (`html`), which some SDKs
   * cannot parse (SES throws a SyntaxError).
   */
  body?: 'json' | 'html';
}

/** A behaviour with every default filled in; `seed` is set whenever `failPercent` is. */
export type ResolvedBehaviour = Required<Omit<ProviderBehaviour, 'seed'>> & { seed?: number };

const behaviourSchema = z.strictObject({
  mode: z.enum(BEHAVIOUR_MODES).default('ok'),
  status: z.number().int().min(400).max(599).default(503),
  retryAfterSeconds: z.number().int().min(0).max(86_400).default(1),
  latencyMs: z.number().int().min(0).max(600_000).default(0),
  failNext: z.number().int().min(0).default(0),
  failPercent: z.number().min(0).max(100).default(0),
  seed: z.number().int().optional(),
  body: z.enum(['json', 'html']).default('json'),
});

/** Validates a (partial) behaviour from code or the control API and fills in defaults. */
export function resolveBehaviour(
  input: unknown,
): { ok: true; behaviour: ResolvedBehaviour } | { ok: false; problems: string[] } {
  const parsed = behaviourSchema.safeParse(input ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'behaviour'}: ${i.message}`),
    };
  }
  const behaviour: ResolvedBehaviour = { ...parsed.data };
  if (behaviour.seed === undefined) delete behaviour.seed;
  if (behaviour.failPercent > 0 && behaviour.seed === undefined) {
    behaviour.seed = Math.floor(Math.random() * 2 ** 31);
  }
  return { ok: true, behaviour };
}

export function isSimulatedProvider(name: unknown): name is SimulatedProvider {
  return SIMULATED_PROVIDERS.includes(name as SimulatedProvider);
}
