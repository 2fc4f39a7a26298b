/**
 * HPKE (RFC 9180) in base mode for the KEMs of the crypto provider, as draft-ietf-hpke-pq defines
 * them for ML-KEM and X-Wing (and draft-connolly-cfrg-xwing-kem-10 §5.6 for X-Wing): Encap/Decap are
 * the KEM's own Encaps/Decaps used directly, enc is its ciphertext and shared_secret its shared
 * secret (no DHKEM ExtractAndExpand step).
 *
 * Implemented: the two-stage HKDF KDFs (RFC 9180 §7.2: HKDF-SHA256/384/512, 0x0001-0x0003), the
 * key schedule (§5.1) with mode_base and empty psk/psk_id, encryption contexts with sequence numbers
 * (§5.2), the secret export interface (§5.3), and single-shot SealBase/OpenBase (§6.1). Not
 * implemented: psk/auth modes, export-only AEAD, draft-ietf-hpke-hpke's single-stage KDFs
 * (SHAKE/TurboSHAKE, 0x0010-0x0013).
 *
 * HKDF-Extract and HKDF-Expand are needed separately here (LabeledExtract / LabeledExpand), which
 * Web Crypto's one-step HKDF does not expose, so they come from @noble/hashes (RFC 5869).
 *
 * Trust boundary: the recipient side runs inside the TenantVault DO with the tenant's private key;
 * enc, ciphertext and aad are tenant input. Any failure to open throws `HpkeOpenError`.
 */
import { expand, extract } from "@noble/hashes/hkdf.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import type { CHash } from "@noble/hashes/utils.js";
import { aeadById, type Aead, type AeadKey } from "./aead.ts";
import { ALGORITHMS, HPKE_KDF_ID, isAlgorithmName, type HpkeSuite, type KemAlgorithm, type KemAlgorithmName } from "./algorithms.ts";
import { concatBytes, u16be, utf8, wipe } from "./bytes.ts";
import { assertBytes, assertLength, CryptoInputError } from "./errors.ts";
import type { CryptoProvider, PrivateKeyHandle } from "./provider.ts";

/** Opening failed (RFC 9180 OpenError): wrong key, enc, info, aad or a modified ciphertext. */
export class HpkeOpenError extends Error {
  constructor() {
    super("hpke open: decryption failed");
    this.name = "HpkeOpenError";
  }
}

interface Kdf {
  readonly id: number;
  readonly hash: CHash;
  /** RFC 9180 §7.2: output size of Extract. */
  readonly Nh: number;
}

const KDFS: ReadonlyMap<number, Kdf> = new Map([
  [HPKE_KDF_ID.HKDF_SHA256, { id: HPKE_KDF_ID.HKDF_SHA256, hash: sha256, Nh: 32 }],
  [HPKE_KDF_ID.HKDF_SHA384, { id: HPKE_KDF_ID.HKDF_SHA384, hash: sha384, Nh: 48 }],
  [HPKE_KDF_ID.HKDF_SHA512, { id: HPKE_KDF_ID.HKDF_SHA512, hash: sha512, Nh: 64 }],
]);

const MODE_BASE = 0x00;
const HPKE_V1 = utf8("HPKE-v1");
const EMPTY = new Uint8Array(0);

interface ResolvedSuite {
  readonly suite: HpkeSuite;
  readonly kem: KemAlgorithm;
  readonly kdf: Kdf;
  readonly aead: Aead;
  readonly suiteId: Uint8Array;
}

/** Resolves suite ids against the KEM algorithm; throws `CryptoInputError` for anything unsupported. */
function resolveSuite(operation: string, kemName: unknown, suite: HpkeSuite): ResolvedSuite {
  const kem = isAlgorithmName(kemName) ? ALGORITHMS[kemName] : undefined;
  if (kem?.kind !== "kem") throw new CryptoInputError(operation, `not a KEM algorithm: ${String(kemName)}`);
  if (suite?.kemId !== kem.hpke.kemId) throw new CryptoInputError(operation, `kem_id ${String(suite?.kemId)} is not ${kem.name}`);
  const kdf = KDFS.get(suite.kdfId);
  if (kdf === undefined) throw new CryptoInputError(operation, `unsupported kdf_id ${String(suite.kdfId)}`);
  const aead = aeadById(suite.aeadId);
  if (aead === undefined) throw new CryptoInputError(operation, `unsupported aead_id ${String(suite.aeadId)}`);
  return { suite, kem, kdf, aead, suiteId: hpkeSuiteId(suite) };
}

/** RFC 9180 §5.1: suite_id = concat("HPKE", I2OSP(kem_id, 2), I2OSP(kdf_id, 2), I2OSP(aead_id, 2)). */
export function hpkeSuiteId(suite: HpkeSuite): Uint8Array {
  return concatBytes(utf8("HPKE"), u16be(suite.kemId), u16be(suite.kdfId), u16be(suite.aeadId));
}

// RFC 9180 §4: LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm).
function labeledExtract(kdf: Kdf, suiteId: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array): Uint8Array {
  const labeledIkm = concatBytes(HPKE_V1, suiteId, utf8(label), ikm);
  try {
    return extract(kdf.hash, labeledIkm, salt);
  } finally {
    wipe(labeledIkm);
  }
}

// RFC 9180 §4: LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ info, L).
function labeledExpand(kdf: Kdf, suiteId: Uint8Array, prk: Uint8Array, label: string, info: Uint8Array, length: number): Uint8Array {
  return expand(kdf.hash, prk, concatBytes(u16be(length), HPKE_V1, suiteId, utf8(label), info), length);
}

export interface KeySchedule {
  readonly key: Uint8Array;
  readonly baseNonce: Uint8Array;
  readonly exporterSecret: Uint8Array;
}

/**
 * RFC 9180 §5.1 KeySchedule for mode_base (psk = psk_id = ""). Exported for conformance tests;
 * callers normally use the setup functions below.
 */
export function keyScheduleBase(kemName: KemAlgorithmName, suite: HpkeSuite, sharedSecret: Uint8Array, info: Uint8Array): KeySchedule {
  const s = resolveSuite("hpke key schedule", kemName, suite);
  assertLength("hpke key schedule", "shared secret", sharedSecret, s.kem.sharedSecretLength);
  assertBytes("hpke key schedule", "info", info);
  const pskIdHash = labeledExtract(s.kdf, s.suiteId, EMPTY, "psk_id_hash", EMPTY);
  const infoHash = labeledExtract(s.kdf, s.suiteId, EMPTY, "info_hash", info);
  const context = concatBytes(Uint8Array.of(MODE_BASE), pskIdHash, infoHash);
  const secret = labeledExtract(s.kdf, s.suiteId, sharedSecret, "secret", EMPTY);
  try {
    return {
      key: labeledExpand(s.kdf, s.suiteId, secret, "key", context, s.aead.Nk),
      baseNonce: labeledExpand(s.kdf, s.suiteId, secret, "base_nonce", context, s.aead.Nn),
      exporterSecret: labeledExpand(s.kdf, s.suiteId, secret, "exp", context, s.kdf.Nh),
    };
  } finally {
    wipe(secret);
  }
}

/** RFC 9180 §5.2 encryption context: a sender only seals, a recipient only opens. */
export class HpkeContext {
  readonly role: "sender" | "recipient";
  readonly #s: ResolvedSuite;
  readonly #key: AeadKey;
  readonly #baseNonce: Uint8Array;
  readonly #exporterSecret: Uint8Array;
  #seq = 0;

  private constructor(role: "sender" | "recipient", s: ResolvedSuite, key: AeadKey, baseNonce: Uint8Array, exporterSecret: Uint8Array) {
    this.role = role;
    this.#s = s;
    this.#key = key;
    this.#baseNonce = baseNonce;
    this.#exporterSecret = exporterSecret;
  }

  /** Builds a context from a key schedule; the schedule's key bytes are wiped once imported. */
  static async create(role: "sender" | "recipient", kemName: KemAlgorithmName, suite: HpkeSuite, schedule: KeySchedule): Promise<HpkeContext> {
    const s = resolveSuite("hpke context", kemName, suite);
    const key = await s.aead.importKey(schedule.key);
    wipe(schedule.key);
    return new HpkeContext(role, s, key, schedule.baseNonce, schedule.exporterSecret);
  }

  /** The sequence number the next seal/open will use. */
  get sequence(): number {
    return this.#seq;
  }

  // RFC 9180 §5.2 ComputeNonce: base_nonce XOR I2OSP(seq, Nn).
  #nonce(): Uint8Array {
    const nonce = this.#baseNonce.slice();
    let seq = this.#seq;
    for (let i = nonce.length - 1; i >= 0 && seq > 0; i--) {
      nonce[i] = (nonce[i] ?? 0) ^ (seq % 256);
      seq = Math.floor(seq / 256);
    }
    return nonce;
  }

  // RFC 9180 §5.2 IncrementSeq; we stop at 2^53 - 1, far below 2^(8·Nn) - 1.
  #increment(): void {
    if (this.#seq >= Number.MAX_SAFE_INTEGER) throw new CryptoInputError("hpke", "message limit reached");
    this.#seq += 1;
  }

  async seal(aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
    if (this.role !== "sender") throw new CryptoInputError("hpke seal", "a recipient context cannot seal");
    const ciphertext = await this.#key.seal(this.#nonce(), aad, plaintext);
    this.#increment();
    return ciphertext;
  }

  async open(aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array> {
    if (this.role !== "recipient") throw new CryptoInputError("hpke open", "a sender context cannot open");
    assertBytes("hpke open", "aad", aad);
    assertBytes("hpke open", "ciphertext", ciphertext);
    if (ciphertext.length < this.#s.aead.Nt) throw new HpkeOpenError();
    let plaintext: Uint8Array;
    try {
      plaintext = await this.#key.open(this.#nonce(), aad, ciphertext);
    } catch {
      throw new HpkeOpenError();
    }
    this.#increment();
    return plaintext;
  }

  /** RFC 9180 §5.3: Export(exporter_context, L) = LabeledExpand(exporter_secret, "sec", exporter_context, L). */
  export(exporterContext: Uint8Array, length: number): Uint8Array {
    assertBytes("hpke export", "exporter context", exporterContext);
    if (!Number.isInteger(length) || length < 1 || length > 255 * this.#s.kdf.Nh) {
      throw new CryptoInputError("hpke export", `length must be 1..${255 * this.#s.kdf.Nh}`);
    }
    return labeledExpand(this.#s.kdf, this.#s.suiteId, this.#exporterSecret, "sec", exporterContext, length);
  }

  /** Zeroes the secrets this context holds. */
  dispose(): void {
    this.#key.dispose();
    wipe(this.#baseNonce, this.#exporterSecret);
  }
}

/** RFC 9180 §5.1.1 SetupBaseS: encapsulates to `publicKey` and returns enc with a sender context. */
export async function setupBaseSender(
  provider: CryptoProvider,
  kemName: KemAlgorithmName,
  suite: HpkeSuite,
  publicKey: Uint8Array,
  info: Uint8Array,
): Promise<{ enc: Uint8Array; context: HpkeContext }> {
  const s = resolveSuite("hpke setup sender", kemName, suite);
  assertLength("hpke setup sender", "public key", publicKey, s.kem.publicKeyLength);
  assertBytes("hpke setup sender", "info", info);
  const { ciphertext: enc, sharedSecret } = await provider.encapsulate(s.kem.name, publicKey);
  try {
    const context = await HpkeContext.create("sender", s.kem.name, suite, keyScheduleBase(s.kem.name, suite, sharedSecret, info));
    return { enc, context };
  } finally {
    wipe(sharedSecret);
  }
}

/** RFC 9180 §5.1.1 SetupBaseR: decapsulates enc and returns a recipient context. */
export async function setupBaseRecipient(provider: CryptoProvider, privateKey: PrivateKeyHandle, suite: HpkeSuite, enc: Uint8Array, info: Uint8Array): Promise<HpkeContext> {
  const s = resolveSuite("hpke setup recipient", privateKey?.algorithm, suite);
  assertLength("hpke setup recipient", "enc", enc, s.kem.ciphertextLength);
  assertBytes("hpke setup recipient", "info", info);
  const sharedSecret = await provider.decapsulate(privateKey, enc);
  try {
    return await HpkeContext.create("recipient", s.kem.name, suite, keyScheduleBase(s.kem.name, suite, sharedSecret, info));
  } finally {
    wipe(sharedSecret);
  }
}

/** RFC 9180 §6.1 single-shot Seal in base mode. */
export async function sealBase(
  provider: CryptoProvider,
  kemName: KemAlgorithmName,
  suite: HpkeSuite,
  publicKey: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Promise<{ enc: Uint8Array; ciphertext: Uint8Array }> {
  const { enc, context } = await setupBaseSender(provider, kemName, suite, publicKey, info);
  try {
    return { enc, ciphertext: await context.seal(aad, plaintext) };
  } finally {
    context.dispose();
  }
}

/** RFC 9180 §6.1 single-shot Open in base mode; throws `HpkeOpenError` if it does not authenticate. */
export async function openBase(
  provider: CryptoProvider,
  privateKey: PrivateKeyHandle,
  suite: HpkeSuite,
  enc: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
): Promise<Uint8Array> {
  const context = await setupBaseRecipient(provider, privateKey, suite, enc, info);
  try {
    return await context.open(aad, ciphertext);
  } finally {
    context.dispose();
  }
}
