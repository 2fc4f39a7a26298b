/**
 * Slow-signature admission: at most one SLH-DSA-SHA2-128s signature per tenant every
 * SLOW_SIGNATURE_SPACING_MS, the caller told when to retry; every other algorithm always admitted.
 */
import { describe, expect, it } from "vitest";
import { KEY_ALGORITHM_NAMES } from "../../../workers/shared/algorithms.ts";
import {
  admitSignature,
  NO_SLOW_SIGNATURE_YET,
  SLOW_SIGNATURE_SPACING_MS,
  SLOW_SIGNATURES,
} from "../../../workers/kms/src/vault/slow-signatures.ts";

const SLOW = "SLH-DSA-SHA2-128s";
const T0 = 1_700_000_000_000;

describe("admitSignature", () => {
  it("admits the first slow signature and spaces the next one", () => {
    const first = admitSignature(NO_SLOW_SIGNATURE_YET, SLOW, T0);
    expect(first).toEqual({ refusal: null, state: { nextAt: T0 + SLOW_SIGNATURE_SPACING_MS } });
  });

  it.each([
    // [ms after the first, refused?, retry seconds in the message]
    [0, true, 4],
    [1, true, 4],
    [999, true, 4],
    [1_000, true, 3],
    [3_001, true, 1],
    [3_999, true, 1],
    [4_000, false, null],
    [60_000, false, null],
  ])("%i ms after a slow signature: refused %s (retry in %s s)", (after, refused, seconds) => {
    const { state } = admitSignature(NO_SLOW_SIGNATURE_YET, SLOW, T0);
    const decision = admitSignature(state, SLOW, T0 + after);
    if (refused) {
      expect(decision.refusal).toEqual({
        ok: false,
        error: { code: "rate_limited", detail: `${SLOW} signatures are spaced out per tenant; retry in ${seconds} s` },
      });
      expect(decision.state).toBe(state);
    } else {
      expect(decision.refusal).toBeNull();
      expect(decision.state).toEqual({ nextAt: T0 + after + SLOW_SIGNATURE_SPACING_MS });
    }
  });

  it("a refused signature does not push the next slot further out", () => {
    const { state } = admitSignature(NO_SLOW_SIGNATURE_YET, SLOW, T0);
    const refused = admitSignature(state, SLOW, T0 + 2_000);
    expect(admitSignature(refused.state, SLOW, T0 + SLOW_SIGNATURE_SPACING_MS).refusal).toBeNull();
  });

  it.each(KEY_ALGORITHM_NAMES.filter((name) => !SLOW_SIGNATURES.has(name)))("%s is never spaced out, and leaves the state alone", (algorithm) => {
    const busy = { nextAt: T0 + SLOW_SIGNATURE_SPACING_MS };
    expect(admitSignature(busy, algorithm, T0)).toEqual({ refusal: null, state: busy });
  });

  it("only SLH-DSA-SHA2-128s is slow", () => {
    expect([...SLOW_SIGNATURES]).toEqual([SLOW]);
  });
});
