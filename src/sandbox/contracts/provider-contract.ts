import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { SimulatedProvider } from '../provider-behaviour';
import type { ProviderAnswer } from '../simulated-endpoint';

/** One way a request breaks its provider's documented contract. */
export interface ContractViolation {
  /** Dotted path of the offending field, in the provider's own names (`personalizations.0.to`). */
  readonly field: string;
  /** What is wrong, in the provider's words where its error is known. */
  readonly message: string;
  /** The provider's own error code for it, where it has one (Twilio 21211, Slack `invalid_blocks`). */
  readonly code?: string;
}

/** A rule's message with the provider's error code for it (read back by {@link contractViolations}). */
export const coded = (code: string | number, message: string): string => `${code}|${message}`;
const CODED = /^([\w.-]+)\|([\s\S]*)$/;

/**
 * The request of one provider call as the provider documents it, in our own words: a zod
 * schema over the request as it arrives (JSON body, form fields), and the provider's own
 * refusal of a request that breaks it. Each file under `contracts/` cites the source of
 * each rule beside it.
 */
export interface ProviderContract {
  readonly provider: SimulatedProvider;
  /** The call, as the provider's reference names it (`POST /v3/mail/send`). */
  readonly call: string;
  /** What the schema sees: the parsed body, reshaped where the wire encodes JSON in strings. */
  input(request: FastifyRequest): unknown;
  readonly schema: z.ZodType;
  /** The provider's answer to a request with these violations (there is at least one). */
  refuse(violations: readonly ContractViolation[]): ProviderAnswer;
}

/** A zod type error in the words JSON Schema validators (and SendGrid) use. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  return `Invalid type. Expected: ${issue.expected}, given: ${jsonType(issue.input)}.`;
}

function jsonType(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Every violation of the contract by this request; empty when it conforms. */
export function contractViolations(
  contract: ProviderContract,
  request: FastifyRequest,
): ContractViolation[] {
  const parsed = contract.schema.safeParse(contract.input(request), { error: describeIssue });
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(body)';
    const withCode = CODED.exec(issue.message);
    return withCode
      ? { field, code: withCode[1]!, message: withCode[2]! }
      : { field, message: issue.message };
  });
}

/** What the route tells a provider's endpoint about this request, and what it learns back. */
interface ContractCheck {
  readonly enforcing: boolean;
  violations: ContractViolation[];
}

const checks = new WeakMap<FastifyRequest, ContractCheck>();

/**
 * Called by the shared route before the provider's endpoint runs: whether this provider's
 * contract is enforced (the control API can switch it off for experiments).
 */
export function openContractCheck(request: FastifyRequest, enforcing: boolean): void {
  checks.set(request, { enforcing, violations: [] });
}

/** The violations {@link enforce} found for this request (for the simulator's request log). */
export function closeContractCheck(request: FastifyRequest): {
  enforced: boolean;
  violations: ContractViolation[];
} {
  const check = checks.get(request);
  checks.delete(request);
  return { enforced: check?.enforcing ?? true, violations: check?.violations ?? [] };
}

/**
 * Checks the request against its provider's contract, once its credentials were accepted
 * (providers authenticate before they read the body). Returns the provider's own refusal
 * when the request breaks the contract and enforcement is on; `undefined` lets the
 * endpoint go on. Violations are recorded either way.
 */
export function enforce(
  contract: ProviderContract,
  request: FastifyRequest,
): { answer: ProviderAnswer } | undefined {
  const violations = contractViolations(contract, request);
  const check = checks.get(request);
  if (check) check.violations = violations;
  if (violations.length === 0 || check?.enforcing === false) return undefined;
  return { answer: contract.refuse(violations) };
}

/** Bytes of a string as UTF-8, the unit providers count sizes in. */
export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
