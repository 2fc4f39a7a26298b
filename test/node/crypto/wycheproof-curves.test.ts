/**
 * The elliptic-curve parts of the hybrids against Wycheproof, exactly as we call them:
 * - ECDSA P-256 with SHA-256 (the composite's traditional component) through `ecdsaP256Verify`:
 *   DER signatures, high S accepted, BER and malformed encodings refused;
 * - X25519 (X-Wing's traditional component) through @noble/curves' `x25519.getSharedSecret`, the
 *   call @noble/post-quantum's X-Wing makes: every vector computes Wycheproof's shared secret, except
 *   that an all-zero result is refused (RFC 7748 §6.1), which Wycheproof marks "acceptable".
 */
import { x25519 } from "@noble/curves/ed25519.js";
import { describe, expect, it } from "vitest";
import { ecdsaP256Verify } from "../../../workers/kms/src/crypto/composite-ml-dsa.ts";
import { allTests, hex, label, readJsonVector, toHex, type WycheproofFile, type WycheproofTest } from "./vectors.ts";

interface EcdsaTest extends WycheproofTest {
  readonly msg: string;
  readonly sig: string;
}
interface EcdsaGroup {
  readonly publicKey: { readonly curve: string; readonly uncompressed: string };
  readonly sha: string;
  readonly tests: readonly EcdsaTest[];
}

interface XdhTest extends WycheproofTest {
  readonly public: string;
  readonly private: string;
  readonly shared: string;
}
interface XdhGroup {
  readonly curve: string;
  readonly tests: readonly XdhTest[];
}

describe("Wycheproof ecdsa_secp256r1_sha256_test.json through ecdsaP256Verify", () => {
  const file = readJsonVector<WycheproofFile<EcdsaGroup>>("wycheproof/ecdsa_secp256r1_sha256_test.json");
  const tests = allTests(file);

  it("runs every vector of the file (all P-256, SHA-256)", () => {
    expect(tests.length).toBe(file.numberOfTests);
    expect(tests.every(({ group }) => group.publicKey.curve === "secp256r1" && group.sha === "SHA-256")).toBe(true);
  });

  it.each(tests.map(({ group, test }) => [label(test), group, test] as const))("%s", (_label, group, test) => {
    // Wycheproof has no "acceptable" verdicts in this file: valid verifies, invalid does not.
    expect(ecdsaP256Verify(hex(group.publicKey.uncompressed), hex(test.msg), hex(test.sig))).toBe(test.result === "valid");
  });
});

describe("Wycheproof x25519_test.json through x25519.getSharedSecret", () => {
  const file = readJsonVector<WycheproofFile<XdhGroup>>("wycheproof/x25519_test.json");
  const tests = allTests(file);
  const ZERO = "00".repeat(32);

  it("runs every vector of the file; the refused ones are exactly the all-zero shared secrets", () => {
    expect(tests.length).toBe(file.numberOfTests);
    const zero = tests.filter(({ test }) => test.shared === ZERO);
    expect(zero.length).toBeGreaterThan(0);
    expect(zero.every(({ test }) => test.result === "acceptable")).toBe(true);
  });

  it.each(tests.map(({ test }) => [label(test), test] as const))("%s", (_label, test) => {
    const compute = () => toHex(x25519.getSharedSecret(hex(test.private), hex(test.public)));
    if (test.shared === ZERO) expect(compute).toThrow();
    else expect(compute()).toBe(test.shared);
  });
});
