/**
 * Native key material and operations for `WebCryptoProvider` (webcrypto-provider.ts): loading a stored
 * seed into non-extractable `CryptoKey`s, and the X-Wing and composite operations built from native
 * halves. The combiners are not duplicated: X-Wing's is x-wing.ts, the composite's message
 * representative and DER handling are composite-ml-dsa.ts / @noble/curves' own.
 *
 * Trust boundary: runs inside the TenantVault DO and sees seeds; the caller has checked algorithm,
 * lengths and types. Seeds are copied into the runtime's keys and the temporary copies wiped.
 */
import { p256 } from "@noble/curves/nist.js";
import { arrayBufferBacked, concatBytes, toBase64Url, wipe } from "./bytes.ts";
import { COMPOSITE_LABEL, compositeMessageRepresentative, ML_DSA_PUBLIC_KEY_LENGTH, ML_DSA_SIGNATURE_LENGTH } from "./composite-ml-dsa.ts";
import { CryptoInputError } from "./errors.ts";
import { subtle, x25519, type CryptoKey, type EcJwk, x25519Base, x25519PrivateKey, x25519PublicKey } from "./webcrypto-native.ts";
import { expandXWingKey, X_WING_ML_KEM_CIPHERTEXT_LENGTH, xWingCombiner } from "./x-wing.ts";

/** Decoded native keys of one key version; the seed itself is not kept here. */
export type NativeKey =
  | { readonly kind: "ml-kem"; readonly name: string; readonly privateKey: CryptoKey }
  | { readonly kind: "ml-dsa"; readonly name: string; readonly privateKey: CryptoKey }
  | { readonly kind: "x-wing"; readonly mlKem: CryptoKey; readonly x25519: CryptoKey; readonly pkX: Uint8Array }
  | { readonly kind: "composite"; readonly mlDsa: CryptoKey; readonly ecdsa: CryptoKey };

const P256_ORDER = p256.Point.Fn.ORDER;
const ECDSA = { name: "ECDSA", namedCurve: "P-256" };
const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" };

async function exportRawPublic(privateKey: CryptoKey, usage: string): Promise<Uint8Array<ArrayBuffer>> {
  const publicKey = await subtle().getPublicKey(privateKey, [usage]);
  return new Uint8Array(await subtle().exportKey("raw-public", publicKey));
}

/** FIPS 203 KeyGen_internal(d, z) / FIPS 204 KeyGen_internal(ξ) from the seed, natively. */
async function loadSeeded(name: string, seed: Uint8Array, usage: "decapsulateBits" | "sign"): Promise<{ privateKey: CryptoKey; publicKey: Uint8Array<ArrayBuffer> }> {
  const privateKey = await subtle().importKey("raw-seed", arrayBufferBacked(seed.slice()), { name }, false, [usage]);
  return { privateKey, publicKey: await exportRawPublic(privateKey, usage === "sign" ? "verify" : "encapsulateBits") };
}

/**
 * Loads a stored secret of a natively served algorithm (layouts in algorithms.ts). The composite's
 * P-256 public point comes from @noble/curves (Web Crypto cannot derive it from a bare scalar); it is
 * computed once per load, not per signature.
 */
export async function loadNativeKey(algorithm: string, seed: Uint8Array): Promise<{ publicKey: Uint8Array<ArrayBuffer>; key: NativeKey }> {
  if (algorithm.startsWith("ML-KEM-")) {
    const { privateKey, publicKey } = await loadSeeded(algorithm, seed, "decapsulateBits");
    return { publicKey, key: { kind: "ml-kem", name: algorithm, privateKey } };
  }
  if (algorithm.startsWith("ML-DSA-")) {
    const { privateKey, publicKey } = await loadSeeded(algorithm, seed, "sign");
    return { publicKey, key: { kind: "ml-dsa", name: algorithm, privateKey } };
  }
  if (algorithm === "X-Wing") {
    // §5.2 expandDecapsulationKey; public key = pk_M ‖ pk_X (§5.2).
    const { mlKemSeed, x25519Secret } = expandXWingKey(seed);
    try {
      const mlKem = await loadSeeded("ML-KEM-768", mlKemSeed, "decapsulateBits");
      const x = await x25519PrivateKey(x25519Secret);
      const pkX = await x25519Base(x);
      return { publicKey: concatBytes(mlKem.publicKey, pkX), key: { kind: "x-wing", mlKem: mlKem.privateKey, x25519: x, pkX } };
    } finally {
      wipe(mlKemSeed, x25519Secret);
    }
  }
  // Composite-ML-DSA-65-P256: ML-DSA-65 seed ‖ P-256 scalar (composite-ml-dsa.ts).
  const scalar = seed.slice(32, 64);
  try {
    if (!p256.utils.isValidSecretKey(scalar)) throw new CryptoInputError("Composite-ML-DSA-65-P256 deriveKeyPair", "P-256 scalar is not in [1, n-1]");
    const point = p256.getPublicKey(scalar, false);
    const jwk: EcJwk = { kty: "EC", crv: "P-256", d: toBase64Url(scalar), x: toBase64Url(point.subarray(1, 33)), y: toBase64Url(point.subarray(33)) };
    const ecdsa = await subtle().importKey("jwk", jwk, ECDSA, false, ["sign"]);
    const mlDsa = await loadSeeded("ML-DSA-65", seed.subarray(0, 32), "sign");
    // §4.1: ML-DSA-65 public key ‖ uncompressed X9.62 point.
    return { publicKey: concatBytes(mlDsa.publicKey, point), key: { kind: "composite", mlDsa: mlDsa.privateKey, ecdsa } };
  } finally {
    wipe(scalar);
  }
}

/** Web Crypto's ECDSA output is IEEE P1363 r ‖ s; the composite carries DER (§4.3), low S like ours. */
function p1363ToLowSDer(signature: Uint8Array): Uint8Array {
  const parsed = p256.Signature.fromBytes(signature, "compact");
  const low = parsed.hasHighS() ? new p256.Signature(parsed.r, P256_ORDER - parsed.s) : parsed;
  return low.toBytes("der");
}

/** DER Ecdsa-Sig-Value to P1363, or undefined for malformed DER or r, s outside [1, n-1]. */
function derToP1363(signature: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
  try {
    return arrayBufferBacked(p256.Signature.fromBytes(signature, "der").toBytes("compact"));
  } catch {
    return undefined;
  }
}

/** ML-DSA's context as Web Crypto takes it: omitted when empty, as FIPS 204's default. */
export function mlDsaParams(name: string, context: Uint8Array): { name: string; context?: Uint8Array<ArrayBuffer> } {
  return context.length === 0 ? { name } : { name, context: arrayBufferBacked(context) };
}

/** Composite §3.2, hedged: both components sign M' natively; ML-DSA-65 with the label as ctx. */
export async function compositeSignNative(key: Extract<NativeKey, { kind: "composite" }>, message: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
  const representative = arrayBufferBacked(compositeMessageRepresentative(context, message));
  const [mlDsaSignature, ecdsaSignature] = await Promise.all([
    subtle().sign(mlDsaParams("ML-DSA-65", COMPOSITE_LABEL), key.mlDsa, representative),
    subtle().sign(ECDSA_SHA256, key.ecdsa, representative),
  ]);
  return concatBytes(new Uint8Array(mlDsaSignature), p1363ToLowSDer(new Uint8Array(ecdsaSignature)));
}

/** Composite §3.3: valid only if both components verify. `importPublic` may cache imported keys. */
export async function compositeVerifyNative(
  importPublic: (name: string, raw: Uint8Array) => Promise<CryptoKey>,
  publicKey: Uint8Array,
  message: Uint8Array,
  context: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const ecdsaSignature = derToP1363(signature.subarray(ML_DSA_SIGNATURE_LENGTH));
  if (ecdsaSignature === undefined) return false;
  const representative = arrayBufferBacked(compositeMessageRepresentative(context, message));
  const [mlDsaKey, ecdsaKey] = await Promise.all([
    importPublic("ML-DSA-65", publicKey.subarray(0, ML_DSA_PUBLIC_KEY_LENGTH)),
    importPublic("ECDSA-P256", publicKey.subarray(ML_DSA_PUBLIC_KEY_LENGTH)),
  ]);
  const mlDsaSignature = arrayBufferBacked(signature.slice(0, ML_DSA_SIGNATURE_LENGTH));
  if (!(await subtle().verify(mlDsaParams("ML-DSA-65", COMPOSITE_LABEL), mlDsaKey, mlDsaSignature, representative))) return false;
  return subtle().verify(ECDSA_SHA256, ecdsaKey, ecdsaSignature, representative);
}

/** How `importPublic` imports each kind of raw public key (ML-KEM / ML-DSA raw-public, X9.62 point). */
export function importRawPublic(name: string, raw: Uint8Array): Promise<CryptoKey> {
  const data = arrayBufferBacked(raw.slice());
  if (name === "ECDSA-P256") return subtle().importKey("raw", data, ECDSA, false, ["verify"]);
  if (name === "X25519") return x25519PublicKey(data);
  return subtle().importKey("raw-public", data, { name }, false, [name.startsWith("ML-KEM-") ? "encapsulateBits" : "verify"]);
}

/**
 * X-Wing Encapsulate (§5.4) from native halves: ML-KEM-768 Encaps of pk_M; an ephemeral X25519 key
 * generated natively (ek_X), ct_X = X25519(ek_X, 9), ss_X = X25519(ek_X, pk_X); then the combiner.
 */
export async function xWingEncapsulateNative(mlKemKey: CryptoKey, pkXKey: CryptoKey, pkX: Uint8Array): Promise<{ ciphertext: Uint8Array; sharedSecret: Uint8Array }> {
  const { ciphertext: ctM, sharedKey: ssM } = await subtle().encapsulateBits({ name: "ML-KEM-768" }, mlKemKey);
  // Non-extractable: only the public half (always exportable) leaves, as ct_X.
  const ephemeral = await subtle().generateKey({ name: "X25519" }, false, ["deriveBits"]);
  const ctX = new Uint8Array(await subtle().exportKey("raw", ephemeral.publicKey));
  const ssX = await x25519(ephemeral.privateKey, pkXKey);
  const ssMBytes = new Uint8Array(ssM);
  try {
    return { ciphertext: concatBytes(new Uint8Array(ctM), ctX), sharedSecret: xWingCombiner(ssMBytes, ssX, ctX, pkX) };
  } finally {
    wipe(ssMBytes, ssX);
  }
}

/** X-Wing Decapsulate (§5.5): native ML-KEM-768 Decaps (implicit rejection) and X25519, then the combiner. */
export async function xWingDecapsulateNative(key: Extract<NativeKey, { kind: "x-wing" }>, ciphertext: Uint8Array): Promise<Uint8Array> {
  const ctM = arrayBufferBacked(ciphertext.slice(0, X_WING_ML_KEM_CIPHERTEXT_LENGTH));
  const ctX = ciphertext.slice(X_WING_ML_KEM_CIPHERTEXT_LENGTH);
  const ssM = new Uint8Array(await subtle().decapsulateBits({ name: "ML-KEM-768" }, key.mlKem, ctM));
  let ssX: Uint8Array;
  try {
    ssX = await x25519(key.x25519, await x25519PublicKey(ctX));
  } catch {
    wipe(ssM);
    // As NobleProvider: a low-order ct_X (never made by an honest Encapsulate) is refused; it depends
    // on the public ciphertext alone, so refusing reveals nothing (RFC 7748 §6.1).
    throw new CryptoInputError("X-Wing decapsulate", "ciphertext's X25519 part is a low-order point (RFC 7748 §6.1)");
  }
  try {
    return xWingCombiner(ssM, ssX, ctX, key.pkX);
  } finally {
    wipe(ssM, ssX);
  }
}
