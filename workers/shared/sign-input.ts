/**
 * The one rule for what a sign or verify request may carry (architecture §5), shared by the gateway's
 * request schemas and the kms crypto provider.
 *
 * FIPS 204 §5.4 (external μ, Algorithm 7 line 6): μ = H(BytesToBits(tr) ‖ M′, 64) with
 * M′ = IntegerToBytes(0, 1) ‖ IntegerToBytes(|ctx|, 1) ‖ ctx ‖ M (Algorithms 2/3 line 10), so μ already
 * binds the context string ctx. A request therefore gives exactly one of `message` or `mu`, and a
 * context only with `message`: a context beside μ could not be applied and would be silently ignored.
 *
 * Pure: each caller says what "given" means for its input. The gateway counts a `context` field as
 * given even when empty (the API refuses the field beside `mu`); the provider counts only a non-empty
 * context, because an empty ctx is the FIPS 204 default and changes nothing.
 */

/** What crosses RPC from the gateway to the vault: the rule's two accepted shapes. */
export type SignInputWire = { message: Uint8Array; context?: Uint8Array } | { mu: Uint8Array };

/** Which of the fields a sign/verify input carries. */
export interface SignInputFields {
  readonly message: boolean;
  readonly mu: boolean;
  readonly context: boolean;
}

/** `message_or_mu`: neither or both of message and mu; `context_with_mu`: a context beside μ. */
export type SignInputProblem = "message_or_mu" | "context_with_mu";

/** Every way the given fields break the rule, in a fixed order; empty when the input is well formed. */
export function signInputProblems(given: SignInputFields): SignInputProblem[] {
  const problems: SignInputProblem[] = [];
  if (given.message === given.mu) problems.push("message_or_mu");
  if (given.mu && given.context) problems.push("context_with_mu");
  return problems;
}
