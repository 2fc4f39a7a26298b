/**
 * Slow-signature admission (workers/kms/src/vault/slow-signatures.ts): a slow signature is admitted
 * when none is in flight, or while the expected CPU in flight stays within SLOW_SIGNATURE_QUEUE_MS;
 * otherwise it is refused at once, 429 with a Retry-After for when the work in flight should end.
 * Releasing a ticket (however its signature ended) frees its place. Every other algorithm always
 * admitted, without a ticket.
 */
import { describe, expect, it } from "vitest";
import { KEY_ALGORITHM_NAMES } from "../../../workers/shared/algorithms.ts";
import {
  admitSignature,
  NO_SLOW_SIGNATURE_IN_FLIGHT,
  releaseSignature,
  SLOW_SIGNATURE_CPU_MS,
  SLOW_SIGNATURE_QUEUE_MS,
  SLOW_SIGNATURES,
  type SlowSignatureState,
} from "../../../workers/kms/src/vault/slow-signatures.ts";

const S = "SLH-DSA-SHA2-128s";
const F = "SLH-DSA-SHA2-128f";
const T0 = 1_700_000_000_000;

/** Admits `algorithm` at `now`, failing the test if it is refused. */
function admitted(state: SlowSignatureState, algorithm: string, now = T0) {
  const decision = admitSignature(state, algorithm, now);
  if (decision.ticket === null) return expect.fail(`${algorithm} was not admitted: ${JSON.stringify(decision.refusal)}`);
  return decision;
}

describe("admitSignature", () => {
  it("admits a slow signature when none is in flight, with a ticket", () => {
    const first = admitted(NO_SLOW_SIGNATURE_IN_FLIGHT, S);
    expect(first.refusal).toBeNull();
    expect(first.ticket).toEqual({ algorithm: S, cpuMs: SLOW_SIGNATURE_CPU_MS[S] });
    expect(first.state).toEqual({ inFlight: [first.ticket], busyUntil: T0 + 3_500 });
  });

  it.each([
    // [in flight, then, ms later, refused?, Retry-After]
    [S, S, 0, true, 4],
    [S, S, 2_400, true, 2],
    [S, F, 3_000, true, 1],
    // Over its estimate and still running: a short wait, never 0.
    [S, S, 10_000, true, 1],
    [F, S, 0, true, 1],
    [F, F, 0, false, null],
  ])("%s in flight, then %s %i ms later: refused %s (Retry-After %s)", (first, second, after, refused, retryAfter) => {
    const { state } = admitted(NO_SLOW_SIGNATURE_IN_FLIGHT, first);
    const decision = admitSignature(state, second, T0 + after);
    if (refused) {
      expect(decision.refusal).toEqual({
        ok: false,
        error: { code: "rate_limited", retryAfter, detail: `A slow signature of this tenant is in progress; ${second} signatures are not queued: retry in ${retryAfter} s` },
      });
      expect(decision.ticket).toBeNull();
      expect(decision.state).toBe(state);
    } else {
      expect(decision.refusal).toBeNull();
    }
  });

  it("lets 128f signatures overlap only while their expected CPU fits in the queue bound", () => {
    let state = NO_SLOW_SIGNATURE_IN_FLIGHT;
    const fits = Math.floor(SLOW_SIGNATURE_QUEUE_MS / (SLOW_SIGNATURE_CPU_MS[F] ?? 0));
    for (let i = 0; i < fits; i++) state = admitted(state, F).state;
    expect(state.inFlight).toHaveLength(fits);
    // Queued behind each other: the last one is expected to end after all of them.
    expect(state.busyUntil).toBe(T0 + fits * 200);
    expect(admitSignature(state, F, T0 + 100)).toMatchObject({ refusal: { error: { code: "rate_limited", retryAfter: 1 } }, ticket: null });
  });

  it("a released ticket frees its place, whichever order they end in", () => {
    const a = admitted(NO_SLOW_SIGNATURE_IN_FLIGHT, F);
    const b = admitted(a.state, F);
    const afterB = releaseSignature(b.state, b.ticket);
    expect(afterB.inFlight).toEqual([a.ticket]);
    const idle = releaseSignature(afterB, a.ticket);
    expect(idle.inFlight).toEqual([]);
    expect(admitted(idle, S, T0 + 1).state).toEqual({ inFlight: [{ algorithm: S, cpuMs: 3_500 }], busyUntil: T0 + 1 + 3_500 });
  });

  it("releasing a ticket twice, or one never admitted, changes nothing", () => {
    const a = admitted(NO_SLOW_SIGNATURE_IN_FLIGHT, S);
    const idle = releaseSignature(a.state, a.ticket);
    expect(releaseSignature(idle, a.ticket)).toBe(idle);
    expect(releaseSignature(a.state, { algorithm: S, cpuMs: 3_500 })).toBe(a.state);
  });

  it("a refusal leaves nothing to release: the one in flight still holds the place", () => {
    const a = admitted(NO_SLOW_SIGNATURE_IN_FLIGHT, S);
    const refused = admitSignature(a.state, S, T0 + 1);
    expect(refused.ticket).toBeNull();
    expect(admitSignature(releaseSignature(refused.state, a.ticket), S, T0 + 2).ticket).not.toBeNull();
  });

  it.each(KEY_ALGORITHM_NAMES.filter((name) => !SLOW_SIGNATURES.has(name)))("%s is signed in the vault: no ticket, never refused, state untouched", (algorithm) => {
    const busy = admitted(NO_SLOW_SIGNATURE_IN_FLIGHT, S).state;
    expect(admitSignature(busy, algorithm, T0)).toEqual({ refusal: null, ticket: null, state: busy });
  });

  it.each(["toString", "__proto__", "constructor", ""])("%j is not a slow algorithm", (algorithm) => {
    expect(admitSignature(NO_SLOW_SIGNATURE_IN_FLIGHT, algorithm, T0).ticket).toBeNull();
  });

  it("the slow algorithms are the two SLH-DSA sets", () => {
    expect([...SLOW_SIGNATURES].sort()).toEqual([F, S]);
  });
});
