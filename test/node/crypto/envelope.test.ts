/**
 * The architecture §7 envelope: byte layout, decoding (total, never throws), and HPKE envelopes end to
 * end, including a tamper matrix that must always give the same opaque `decrypt_failed`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ALGORITHMS, type KemAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import {
  AEAD_HEADER_LENGTH,
  assembleAeadEnvelope,
  decodeEnvelope,
  encodeEnvelopeHeader,
  HPKE_HEADER_LENGTH,
  type EnvelopeDecodeError,
} from "../../../workers/kms/src/crypto/envelope.ts";
import { CryptoInputError } from "../../../workers/kms/src/crypto/errors.ts";
import { decodeAndOpen, openEnvelope, sealEnvelope } from "../../../workers/kms/src/crypto/hpke-envelope.ts";
import { NobleProvider } from "../../../workers/kms/src/crypto/noble-provider.ts";
import { toHex } from "./vectors.ts";

const provider = new NobleProvider();
const KEY_ID = "0190f3a2-7b1c-7def-8a12-3456789abcde";
const OTHER_KEY_ID = "0190f3a2-7b1c-7def-8a12-3456789abcdf";
const plaintext = new TextEncoder().encode("the quick brown fox");
const aad = new TextEncoder().encode("tenant-aad");
const DECRYPT_FAILED = { ok: false, error: { code: "decrypt_failed" } };

async function keyPair(algorithm: KemAlgorithmName, fill = 1) {
  return provider.deriveKeyPair(algorithm, new Uint8Array(ALGORITHMS[algorithm].secretLength).fill(fill));
}

describe("envelope layout (architecture §7)", () => {
  it("encodes the HPKE header byte for byte", () => {
    const header = encodeEnvelopeHeader({ type: "hpke", keyId: KEY_ID, keyVersion: 0x01020304, suite: ALGORITHMS["ML-KEM-1024"].hpke });
    expect(toHex(header)).toBe(`50514b` + `01` + `01` + `0190f3a27b1c7def8a123456789abcde` + `01020304` + `0042` + `0002` + `0002`);
    expect(header.length).toBe(HPKE_HEADER_LENGTH);
  });

  it("encodes X-Wing's suite (kem 0x647a, HKDF-SHA256, AES-256-GCM) and decodes its 1120-byte enc", () => {
    const header = encodeEnvelopeHeader({ type: "hpke", keyId: KEY_ID, keyVersion: 2, suite: ALGORITHMS["X-Wing"].hpke });
    expect(toHex(header.subarray(25))).toBe("647a" + "0001" + "0002");
    const envelope = Uint8Array.from([...header, ...new Uint8Array(1120).fill(7), ...new Uint8Array(16)]);
    const decoded = decodeEnvelope(envelope);
    expect(decoded.ok && decoded.value.type === "hpke" ? [decoded.value.kem.name, decoded.value.enc.length, decoded.value.ciphertext.length] : decoded).toEqual(["X-Wing", 1120, 16]);
    expect(decodeEnvelope(envelope.subarray(0, HPKE_HEADER_LENGTH + 1119))).toEqual({ ok: false, error: { code: "decrypt_failed", reason: "enc_truncated" } });
  });

  it("encodes the AEAD header byte for byte", () => {
    const header = encodeEnvelopeHeader({ type: "aead", keyId: KEY_ID.toUpperCase(), keyVersion: 7, algId: 0x0002 });
    expect(toHex(header)).toBe(`50514b` + `01` + `02` + `0190f3a27b1c7def8a123456789abcde` + `00000007` + `0002`);
    expect(header.length).toBe(AEAD_HEADER_LENGTH);
  });

  it("refuses to encode what it could not decode", () => {
    const suite = ALGORITHMS["ML-KEM-768"].hpke;
    expect(() => encodeEnvelopeHeader({ type: "hpke", keyId: "not-a-uuid", keyVersion: 1, suite })).toThrow(CryptoInputError);
    expect(() => encodeEnvelopeHeader({ type: "hpke", keyId: KEY_ID, keyVersion: 2 ** 32, suite })).toThrow(CryptoInputError);
    expect(() => encodeEnvelopeHeader({ type: "hpke", keyId: KEY_ID, keyVersion: 1, suite: { ...suite, aeadId: 1 } })).toThrow(CryptoInputError);
    expect(() => encodeEnvelopeHeader({ type: "aead", keyId: KEY_ID, keyVersion: 1, algId: 3 })).toThrow(CryptoInputError);
  });

  it("decodes an AEAD envelope into header, nonce and ct‖tag", () => {
    const header = encodeEnvelopeHeader({ type: "aead", keyId: KEY_ID, keyVersion: 3, algId: 0x0001 });
    const nonce = new Uint8Array(12).fill(0xaa);
    const sealed = new Uint8Array(20).fill(0xbb);
    const decoded = decodeEnvelope(assembleAeadEnvelope(header, nonce, sealed));
    expect(decoded).toEqual({ ok: true, value: { type: "aead", keyId: KEY_ID, keyVersion: 3, algId: 1, aead: ALGORITHMS["AES-256-GCM"], header, nonce, ciphertext: sealed } });
    expect(decodeEnvelope(assembleAeadEnvelope(header, nonce, sealed.subarray(0, 15)))).toEqual({ ok: false, error: { code: "decrypt_failed", reason: "ciphertext_too_short" } });
  });
});

describe.each(["ML-KEM-512", "ML-KEM-768", "ML-KEM-1024", "X-Wing"] as const)("HPKE envelope, %s", (algorithm) => {
  const spec = ALGORITHMS[algorithm];

  it("seals to the public key and opens with the private key", async () => {
    const { publicKey, privateKey } = await keyPair(algorithm);
    const envelope = await sealEnvelope(provider, algorithm, KEY_ID, 5, publicKey, plaintext, aad);
    expect(envelope.length).toBe(HPKE_HEADER_LENGTH + spec.ciphertextLength + plaintext.length + 16);
    const decoded = decodeEnvelope(envelope);
    if (!decoded.ok || decoded.value.type !== "hpke") throw new Error("expected an HPKE envelope");
    expect(decoded.value).toMatchObject({ keyId: KEY_ID, keyVersion: 5, suite: spec.hpke });
    expect(await decodeAndOpen(openEnvelope, provider, privateKey, envelope, aad, { keyId: KEY_ID, keyVersion: 5 })).toEqual({ ok: true, value: plaintext });
  });

  it("handles empty plaintext and empty aad, and never repeats a ciphertext", async () => {
    const { publicKey, privateKey } = await keyPair(algorithm);
    const empty = new Uint8Array(0);
    const a = await sealEnvelope(provider, algorithm, KEY_ID, 1, publicKey, empty, empty);
    const b = await sealEnvelope(provider, algorithm, KEY_ID, 1, publicKey, empty, empty);
    expect(toHex(a)).not.toBe(toHex(b));
    expect(await decodeAndOpen(openEnvelope, provider, privateKey, a, empty, { keyId: KEY_ID, keyVersion: 1 })).toEqual({ ok: true, value: empty });
  });
});

describe("HPKE envelope tamper matrix: one opaque failure", async () => {
  const algorithm = "ML-KEM-768";
  const { publicKey, privateKey } = await keyPair(algorithm);
  const binding = { keyId: KEY_ID, keyVersion: 9 };
  const envelope = await sealEnvelope(provider, algorithm, KEY_ID, 9, publicKey, plaintext, aad);
  const encStart = HPKE_HEADER_LENGTH;
  const ctStart = encStart + ALGORITHMS[algorithm].ciphertextLength;
  const tagStart = envelope.length - 16;

  it("opens untouched (the baseline the matrix departs from)", async () => {
    expect(await decodeAndOpen(openEnvelope, provider, privateKey, envelope, aad, binding)).toEqual({ ok: true, value: plaintext });
  });

  const flips: readonly [string, number, EnvelopeDecodeError | "decodes"][] = [
    ["magic", 0, "bad_magic"],
    ["magic", 2, "bad_magic"],
    ["version", 3, "unsupported_version"],
    ["type", 4, "unknown_type"],
    ["key id", 5, "decodes"],
    ["key id", 20, "decodes"],
    ["key version", 21, "decodes"],
    ["key version", 24, "decodes"],
    ["kem_id", 25, "unknown_suite"],
    ["kem_id (0x0041 → 0x0040, another known KEM)", 26, "decodes"],
    ["kdf_id", 28, "suite_mismatch"],
    ["aead_id", 30, "suite_mismatch"],
    ["enc", encStart, "decodes"],
    ["enc", encStart + 500, "decodes"],
    ["enc", ctStart - 1, "decodes"],
    ["ct", ctStart, "decodes"],
    ["ct", tagStart - 1, "decodes"],
    ["tag", tagStart, "decodes"],
    ["tag", envelope.length - 1, "decodes"],
  ];
  it.each(flips)("flipped %s byte at %i", async (_field, index, decodes) => {
    const tampered = envelope.slice();
    tampered[index] = (tampered[index] ?? 0) ^ (index === 4 ? 0x02 : 0x01);
    const decoded = decodeEnvelope(tampered);
    expect(decoded.ok ? "decodes" : decoded.error.reason).toBe(decodes);
    expect(await decodeAndOpen(openEnvelope, provider, privateKey, tampered, aad, binding)).toEqual(DECRYPT_FAILED);
  });

  it("type byte changed to AEAD", async () => {
    const tampered = envelope.slice();
    tampered[4] = 0x02;
    expect(await decodeAndOpen(openEnvelope, provider, privateKey, tampered, aad, binding)).toEqual(DECRYPT_FAILED);
  });

  const cuts = [0, 1, 3, 4, 24, 25, 30, 31, ctStart - 1, ctStart, ctStart + 15, envelope.length - 16, envelope.length - 1];
  it.each(cuts)("truncated to %i bytes", async (length) => {
    expect(await decodeAndOpen(openEnvelope, provider, privateKey, envelope.subarray(0, length), aad, binding)).toEqual(DECRYPT_FAILED);
  });

  it.each([1, 16, 1000])("extended by %i bytes", async (extra) => {
    const extended = Uint8Array.from([...envelope, ...new Uint8Array(extra)]);
    expect(await decodeAndOpen(openEnvelope, provider, privateKey, extended, aad, binding)).toEqual(DECRYPT_FAILED);
  });

  it("wrong aad, missing aad, another key id or version, another private key, another algorithm's key", async () => {
    expect(await decodeAndOpen(openEnvelope, provider, privateKey, envelope, new TextEncoder().encode("tenant-aaD"), binding)).toEqual(DECRYPT_FAILED);
    expect(await decodeAndOpen(openEnvelope, provider, privateKey, envelope, new Uint8Array(0), binding)).toEqual(DECRYPT_FAILED);
    expect(await decodeAndOpen(openEnvelope, provider, privateKey, envelope, aad, { keyId: OTHER_KEY_ID, keyVersion: 9 })).toEqual(DECRYPT_FAILED);
    expect(await decodeAndOpen(openEnvelope, provider, privateKey, envelope, aad, { keyId: KEY_ID, keyVersion: 8 })).toEqual(DECRYPT_FAILED);
    const other = await keyPair(algorithm, 2);
    expect(await decodeAndOpen(openEnvelope, provider, other.privateKey, envelope, aad, binding)).toEqual(DECRYPT_FAILED);
    const smaller = await keyPair("ML-KEM-512");
    expect(await decodeAndOpen(openEnvelope, provider, smaller.privateKey, envelope, aad, binding)).toEqual(DECRYPT_FAILED);
  });

  it("a header rewritten to name another key id fails even when the binding agrees with it", async () => {
    const rewritten = envelope.slice();
    rewritten.set(Uint8Array.from(Buffer.from(OTHER_KEY_ID.replaceAll("-", ""), "hex")), 5);
    expect(decodeEnvelope(rewritten).ok).toBe(true);
    // info = header, so the HPKE key schedule differs and the AEAD tag no longer verifies.
    expect(await decodeAndOpen(openEnvelope, provider, privateKey, rewritten, aad, { keyId: OTHER_KEY_ID, keyVersion: 9 })).toEqual(DECRYPT_FAILED);
  });

  it("property: any single-byte change gives decrypt_failed, never a throw", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: envelope.length - 1 }), fc.integer({ min: 1, max: 255 }), async (index, xor) => {
        const tampered = envelope.slice();
        tampered[index] = (tampered[index] ?? 0) ^ xor;
        expect(await decodeAndOpen(openEnvelope, provider, privateKey, tampered, aad, binding)).toEqual(DECRYPT_FAILED);
      }),
      { numRuns: 40 },
    );
  });
});

describe("decodeEnvelope on arbitrary bytes", () => {
  it("never throws, and any success is internally consistent", () => {
    const prefixed = fc
      .tuple(fc.constantFrom(0x01, 0x02, 0x03), fc.uint8Array({ minLength: 0, maxLength: 1700 }))
      .map(([type, rest]) => Uint8Array.from([0x50, 0x51, 0x4b, 0x01, type, ...rest]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), prefixed), (bytes) => {
        const decoded = decodeEnvelope(bytes);
        if (decoded.ok) {
          const v = decoded.value;
          const rest = v.type === "hpke" ? [...v.enc, ...v.ciphertext] : [...v.nonce, ...v.ciphertext];
          expect(toHex(Uint8Array.from([...v.header, ...rest]))).toBe(toHex(bytes));
          expect(v.ciphertext.length).toBeGreaterThanOrEqual(16);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws on values that are not byte arrays", () => {
    for (const value of [undefined, null, "PQK", 42, {}, [0x50, 0x51, 0x4b]]) {
      expect(decodeEnvelope(value as unknown as Uint8Array)).toEqual({ ok: false, error: { code: "decrypt_failed", reason: "too_short" } });
    }
  });
});
