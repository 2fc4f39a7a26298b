/**
 * The vault's side of slow signatures (workers/kms/src/signer/slow-signing.ts), with a signer the
 * test controls through the `Signer` interface it is given: what the signer is sent (the wrapped
 * secret, never a plaintext), a second signature refused while the first is pending, and the
 * in-flight mark released however the signature ends — answered, failed, or thrown (503).
 */
import { describe, expect, it } from "vitest";
import { fail, ok } from "../../../workers/shared/errors.ts";
import type { Signer, SignerAnswer, SignerRequest } from "../../../workers/kms/src/signer/signer-request.ts";
import { SlowSigning, type WrappedVersion } from "../../../workers/kms/src/signer/slow-signing.ts";
import type { CallContext } from "../../../workers/shared/rpc.ts";

const CALL = { tenantId: "tenant-1", placement: "default" as const, apiKeyId: "api-key-1", requestId: "req-1" };
const T0 = 1_700_000_000_000;
const wrapped = new Uint8Array([1, 2, 3, 4]).buffer;
const VERSION: WrappedVersion = { keyId: "key-1", version: 2, algorithm: "SLH-DSA-SHA2-128s", publicKey: new Uint8Array(32).fill(9), wrapped, kekId: "default" };
const SIGNED: SignerAnswer = ok({ signature: new Uint8Array([7]), key_version: 2 });

/** A signer whose answers the test releases one by one; it records who asked and what. */
function heldSigner() {
  const requests: { tenantId: string; placement: string; request: SignerRequest }[] = [];
  const pending: ((answer: SignerAnswer | Error) => void)[] = [];
  const signerOf = ({ tenantId, placement }: CallContext): Signer => ({
    sign: (request) => {
      requests.push({ tenantId, placement, request });
      return new Promise((resolve, reject) => pending.push((answer) => (answer instanceof Error ? reject(answer) : resolve(answer))));
    },
  });
  const answerNext = (answer: SignerAnswer | Error) => {
    const settle = pending.shift();
    if (!settle) return expect.fail("no signature pending");
    settle(answer);
  };
  return { requests, signerOf, answerNext };
}

describe("SlowSigning", () => {
  it("sends the tenant's own signer the wrapped secret, its binding and the input, and returns its answer", async () => {
    const signer = heldSigner();
    const slow = new SlowSigning(signer.signerOf, () => T0);
    const signing = slow.sign(CALL, VERSION, { message: new Uint8Array([5]), context: new Uint8Array([6]) });
    signer.answerNext(SIGNED);
    expect(await signing).toBe(SIGNED);
    expect(signer.requests).toEqual([
      {
        tenantId: "tenant-1",
        placement: "default",
        request: { tenantId: "tenant-1", placement: "default", keyId: "key-1", version: 2, algorithm: "SLH-DSA-SHA2-128s", publicKey: VERSION.publicKey, wrapped, kekId: "default", input: { message: new Uint8Array([5]), context: new Uint8Array([6]) } },
      },
    ]);
  });

  it("refuses a second slow signature at once while the first is pending, and admits the next once it is done", async () => {
    const signer = heldSigner();
    let now = T0;
    const slow = new SlowSigning(signer.signerOf, () => now);
    const first = slow.sign(CALL, VERSION, { message: new Uint8Array([1]) });
    now = T0 + 1_000;
    // Answered without waiting for the first: the test would hang otherwise.
    expect(await slow.sign(CALL, VERSION, { message: new Uint8Array([2]) })).toMatchObject({ ok: false, error: { code: "rate_limited", retryAfter: 3 } });
    expect(signer.requests).toHaveLength(1);
    signer.answerNext(SIGNED);
    await first;
    const next = slow.sign(CALL, VERSION, { message: new Uint8Array([3]) });
    signer.answerNext(SIGNED);
    expect(await next).toBe(SIGNED);
  });

  it.each([
    ["a signer that throws", new Error("connection reset"), fail("kms_unavailable", "The signer did not answer")],
    ["a failure the signer answers", fail("internal_error", "key material failed integrity check"), fail("internal_error", "key material failed integrity check")],
  ])("%s: the failure is the answer, and the next signature is admitted", async (_, answer, expected) => {
    const signer = heldSigner();
    const slow = new SlowSigning(signer.signerOf, () => T0);
    const failing = slow.sign(CALL, VERSION, { message: new Uint8Array([1]) });
    signer.answerNext(answer);
    expect(await failing).toEqual(expected);
    const next = slow.sign(CALL, VERSION, { message: new Uint8Array([2]) });
    signer.answerNext(SIGNED);
    expect(await next).toBe(SIGNED);
  });

  it("a version without its wrapped secret is not sent anywhere, and frees its place", async () => {
    const signer = heldSigner();
    const slow = new SlowSigning(signer.signerOf, () => T0);
    expect(await slow.sign(CALL, { ...VERSION, wrapped: null }, { message: new Uint8Array([1]) })).toEqual(fail("internal_error", "key material unavailable"));
    expect(signer.requests).toHaveLength(0);
    const next = slow.sign(CALL, VERSION, { message: new Uint8Array([2]) });
    signer.answerNext(SIGNED);
    expect(await next).toBe(SIGNED);
  });

  it("a fast algorithm routed here is a bug, not a signature", async () => {
    const slow = new SlowSigning(heldSigner().signerOf, () => T0);
    await expect(slow.sign(CALL, { ...VERSION, algorithm: "ML-DSA-65" }, { message: new Uint8Array([1]) })).rejects.toThrow("ML-DSA-65 is not a slow signature");
  });
});
