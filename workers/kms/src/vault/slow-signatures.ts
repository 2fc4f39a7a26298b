/**
 * Admission of slow signatures, per tenant (architecture §8, "Slow signatures"). SLH-DSA signing costs
 * 0.1–4 s of CPU in pure TypeScript, so the vault hands it to the tenant's signer object
 * (signer/tenant-signer.ts) and stays free for the tenant's other operations meanwhile. The signer
 * runs one signature at a time, so what the vault admits while others are in flight only waits
 * there: admission keeps that wait short. A slow signature is admitted when none is in flight, or
 * when the expected CPU of those in flight plus its own stays within SLOW_SIGNATURE_QUEUE_MS; any
 * other is refused at once with 429 `rate_limited` and a `Retry-After` for when the work in flight
 * should be done, never queued for seconds. A 128s signature (3.5 s) is thus always alone; 128f
 * signatures (0.2 s) may overlap a few at a time, which keeps the signer busy.
 *
 * Pure: the state and the clock are passed in, the new state is returned. The vault keeps the state
 * in memory only (a restart has nothing in flight) and releases each ticket when its signature ends,
 * however it ends.
 */
import { type Failure } from "../../../shared/errors.ts";

/**
 * Expected CPU of one signature through the signer on Workers, ms (bench/README.md: 3.2–4.1 s for
 * 128s, 163 ms for 128f, in workerd here). Only the Retry-After and the queue bound depend on them.
 */
export const SLOW_SIGNATURE_CPU_MS: Readonly<Record<string, number>> = Object.freeze({
  "SLH-DSA-SHA2-128s": 3_500,
  "SLH-DSA-SHA2-128f": 200,
});

/** Signature algorithms signed by the tenant's signer object, not inside its vault. */
export const SLOW_SIGNATURES: ReadonlySet<string> = new Set(Object.keys(SLOW_SIGNATURE_CPU_MS));

/** The most expected CPU, ms, that admitted slow signatures may queue in the signer (besides a lone one). */
export const SLOW_SIGNATURE_QUEUE_MS = 1_000;

/** One admitted slow signature; handed back to `releaseSignature` when it ends. */
export interface SlowSignatureTicket {
  readonly algorithm: string;
  readonly cpuMs: number;
}

export interface SlowSignatureState {
  readonly inFlight: readonly SlowSignatureTicket[];
  /** When the work in flight is expected to be done (ms since the epoch); meaningless when idle. */
  readonly busyUntil: number;
}

export const NO_SLOW_SIGNATURE_IN_FLIGHT: SlowSignatureState = Object.freeze({ inFlight: Object.freeze([]), busyUntil: 0 });

export type SlowSignatureDecision =
  /** Not a slow signature: it runs in the vault, and the state is unchanged. */
  | { readonly refusal: null; readonly ticket: null; readonly state: SlowSignatureState }
  /** Admitted: run it in the signer, then release the ticket. */
  | { readonly refusal: null; readonly ticket: SlowSignatureTicket; readonly state: SlowSignatureState }
  /** Refused: `rate_limited` with `retryAfter` in whole seconds, at least 1. */
  | { readonly refusal: Failure; readonly ticket: null; readonly state: SlowSignatureState };

const queuedMs = (state: SlowSignatureState) => state.inFlight.reduce((sum, ticket) => sum + ticket.cpuMs, 0);

/** Whether a signature with `algorithm` may start at `now`, and the state after that decision. */
export function admitSignature(state: SlowSignatureState, algorithm: string, now: number): SlowSignatureDecision {
  // Own keys only: an algorithm named like an Object.prototype member is not slow.
  const cpuMs = Object.hasOwn(SLOW_SIGNATURE_CPU_MS, algorithm) ? SLOW_SIGNATURE_CPU_MS[algorithm] : undefined;
  if (cpuMs === undefined) return { refusal: null, ticket: null, state };
  const idle = state.inFlight.length === 0;
  if (idle || queuedMs(state) + cpuMs <= SLOW_SIGNATURE_QUEUE_MS) {
    const ticket: SlowSignatureTicket = Object.freeze({ algorithm, cpuMs });
    const startsAt = idle ? now : Math.max(now, state.busyUntil);
    return { refusal: null, ticket, state: { inFlight: [...state.inFlight, ticket], busyUntil: startsAt + cpuMs } };
  }
  // RFC 9110 §10.2.3: whole seconds. Work that overran its estimate still gets a short, honest wait.
  const retryAfter = Math.max(1, Math.ceil((state.busyUntil - now) / 1000));
  const detail = `A slow signature of this tenant is in progress; ${algorithm} signatures are not queued: retry in ${retryAfter} s`;
  return { refusal: { ok: false, error: { code: "rate_limited", detail, retryAfter } }, ticket: null, state };
}

/** The state once `ticket`'s signature has ended (signed, failed or abandoned). */
export function releaseSignature(state: SlowSignatureState, ticket: SlowSignatureTicket): SlowSignatureState {
  const inFlight = state.inFlight.filter((held) => held !== ticket);
  return inFlight.length === state.inFlight.length ? state : { inFlight, busyUntil: state.busyUntil };
}
