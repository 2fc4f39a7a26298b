/**
 * HPKE envelopes (architecture §7): RFC 9180 base mode, single shot, with info = envelope header and
 * aad = the caller's aad. Anyone with the public key and the layout in envelope.ts can produce an
 * envelope this opens; the tests do exactly that with an independent HPKE library.
 *
 * Trust boundary: `openEnvelope` runs in the TenantVault DO on tenant-supplied bytes with the
 * tenant's private key. Every failure (malformed envelope, wrong type or suite, another key id or
 * version, wrong aad, modified enc or ciphertext) gives the same `decrypt_failed`, so a caller
 * learns nothing about which check failed. Inputs the vault itself controls (a handle of the
 * wrong kind) are programming errors and still throw.
 */
import { fail, ok, type Result } from "../../../shared/errors.ts";
import { ALGORITHMS, isAlgorithmName, type KemAlgorithmName } from "./algorithms.ts";
import { constantTimeEqual, uuidToBytes } from "./bytes.ts";
import { assembleHpkeEnvelope, decodeEnvelope, encodeEnvelopeHeader, type Envelope } from "./envelope.ts";
import { assertBytes, CryptoInputError } from "./errors.ts";
import { openBase, sealBase } from "./hpke.ts";
import type { CryptoProvider, PrivateKeyHandle } from "./provider.ts";

/** The key version an envelope must name to be opened with a given private key. */
export interface EnvelopeBinding {
  readonly keyId: string;
  readonly keyVersion: number;
}

/** Encrypts `plaintext` to `publicKey` and returns the envelope bytes (architecture §7, type 0x01). */
export async function sealEnvelope(
  provider: CryptoProvider,
  algorithm: KemAlgorithmName,
  keyId: string,
  keyVersion: number,
  publicKey: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<Uint8Array> {
  const spec = isAlgorithmName(algorithm) ? ALGORITHMS[algorithm] : undefined;
  if (spec?.kind !== "kem") throw new CryptoInputError("seal envelope", `not a KEM algorithm: ${String(algorithm)}`);
  assertBytes("seal envelope", "plaintext", plaintext);
  assertBytes("seal envelope", "aad", aad);
  const header = encodeEnvelopeHeader({ type: "hpke", keyId, keyVersion, suite: spec.hpke });
  const { enc, ciphertext } = await sealBase(provider, spec.name, spec.hpke, publicKey, header, aad, plaintext);
  return assembleHpkeEnvelope(header, enc, ciphertext);
}

/**
 * Whether a decoded envelope names `binding`'s key version. Callers check this before using the
 * key: the header is also HPKE info / AEAD aad, so a rewritten key id or version would fail to open
 * anyway, but checking first refuses envelopes addressed to another key without touching this one.
 */
export function namesBinding(operation: string, envelope: Envelope, binding: EnvelopeBinding): boolean {
  const expectedKeyId = uuidToBytes(binding?.keyId);
  if (expectedKeyId === undefined) throw new CryptoInputError(operation, "binding key id must be a UUID");
  const keyId = uuidToBytes(envelope.keyId);
  return keyId !== undefined && constantTimeEqual(keyId, expectedKeyId) && envelope.keyVersion === binding.keyVersion;
}

/**
 * Opens a decoded HPKE envelope (envelope.ts `decodeEnvelope`) with the private key of `binding`'s
 * key version. Returns the plaintext, or `decrypt_failed` for any failure at all.
 */
export async function openEnvelope(
  provider: CryptoProvider,
  privateKey: PrivateKeyHandle,
  parsed: Envelope,
  aad: Uint8Array,
  binding: EnvelopeBinding,
): Promise<Result<Uint8Array>> {
  const spec = isAlgorithmName(privateKey?.algorithm) ? ALGORITHMS[privateKey.algorithm] : undefined;
  if (spec?.kind !== "kem") throw new CryptoInputError("open envelope", "private key is not a KEM key");
  const named = namesBinding("open envelope", parsed, binding);
  if (parsed.type !== "hpke" || parsed.kem.name !== spec.name || !named) return fail("decrypt_failed");
  if (!(aad instanceof Uint8Array)) return fail("decrypt_failed");

  try {
    return ok(await openBase(provider, privateKey, parsed.suite, parsed.enc, parsed.header, aad, parsed.ciphertext));
  } catch {
    return fail("decrypt_failed");
  }
}

/** An open function of this module or aead-envelope.ts. */
export type EnvelopeOpener<K> = (provider: CryptoProvider, key: K, envelope: Envelope, aad: Uint8Array, binding: EnvelopeBinding) => Promise<Result<Uint8Array>>;

/**
 * Decodes envelope bytes, then opens them with `open`; bytes that do not decode are `decrypt_failed`
 * like any other bad envelope. For callers that hold only the bytes (conformance tests,
 * benchmarks): the vault decodes once, picks the version from the decoded envelope, and opens that.
 */
export async function decodeAndOpen<K>(
  open: EnvelopeOpener<K>,
  provider: CryptoProvider,
  key: K,
  bytes: Uint8Array,
  aad: Uint8Array,
  binding: EnvelopeBinding,
): Promise<Result<Uint8Array>> {
  const decoded = decodeEnvelope(bytes);
  return decoded.ok ? open(provider, key, decoded.value, aad, binding) : fail("decrypt_failed");
}
