/**
 * Admission of slow signatures, per tenant. A slow signature (SLH-DSA-SHA2-128s: 2–4 s of CPU in
 * pure TypeScript) holds the tenant's vault, and so every request of that tenant, for its whole
 * duration. Spacing them out caps the share of the vault's time they can take; the caller is told
 * when to retry. Pure: the state and the clock are passed in, the new state is returned.
 */
import { fail, type Failure } from "../../../shared/errors.ts";

/** Signature algorithms slow enough in pure TypeScript to starve a tenant's other requests. */
export const SLOW_SIGNATURES: ReadonlySet<string> = new Set(["SLH-DSA-SHA2-128s"]);
/** At most one slow signature per this many ms per tenant: they take at most about half the vault. */
export const SLOW_SIGNATURE_SPACING_MS = 4_000;

/** When the next slow signature may start (ms since the epoch); 0 before the first. */
export interface SlowSignatureState {
  readonly nextAt: number;
}

export const NO_SLOW_SIGNATURE_YET: SlowSignatureState = { nextAt: 0 };

export interface SlowSignatureDecision {
  /** Null when the signature may run now; otherwise `rate_limited` with the wait in seconds. */
  readonly refusal: Failure | null;
  readonly state: SlowSignatureState;
}

/** Whether a signature with `algorithm` may start at `now`, and the state after that decision. */
export function admitSignature(state: SlowSignatureState, algorithm: string, now: number): SlowSignatureDecision {
  if (!SLOW_SIGNATURES.has(algorithm)) return { refusal: null, state };
  const wait = state.nextAt - now;
  if (wait > 0) {
    return { refusal: fail("rate_limited", `${algorithm} signatures are spaced out per tenant; retry in ${Math.ceil(wait / 1000)} s`), state };
  }
  return { refusal: null, state: { nextAt: now + SLOW_SIGNATURE_SPACING_MS } };
}
