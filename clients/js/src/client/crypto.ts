/**
 * The cryptographic operations on a key (`client.keys.encrypt(…)` and the rest): bytes in, bytes
 * out, base64 only on the wire. Each may be repeated after a network failure (operations.ts).
 */
import { b64, decodeFields, toBytes, type Bytes, type WithBytes } from "./bytes.ts";
import type { CallOptions, Transport } from "./transport.ts";
import type * as T from "./types.ts";

/** Additional authenticated data, bound to a ciphertext (give the same to decrypt). */
export interface AadOptions extends CallOptions {
  aad?: Bytes | undefined;
}

/** Signing and verification options. */
export interface SignOptions extends CallOptions {
  /** FIPS 204 context string (ML-DSA; at most 255 bytes), with a message only. */
  context?: Bytes | undefined;
}

/** Options for checks against a signature or MAC made by an older version. */
export interface VersionOptions extends CallOptions {
  /** The key version that made it (default: the primary version). */
  keyVersion?: number | undefined;
}

/** A message, or FIPS 204 external μ (64 bytes) computed by the caller instead of the message. */
export type SignInput = Bytes | { mu: Uint8Array };

/** A request body with its base64 fields `K` given as bytes. */
export type BytesIn<R, K extends keyof R> = Omit<R, K> & {
  [P in K as undefined extends R[P] ? never : P]: Bytes;
} & { [P in K as undefined extends R[P] ? P : never]?: Bytes | undefined };

/** The items of a batch, by operation: each the body of that operation's own call, bytes as bytes. */
export interface BatchItems {
  encrypt: BytesIn<T.EncryptRequest, "plaintext" | "aad">;
  decrypt: BytesIn<T.DecryptRequest, "ciphertext" | "aad">;
  sign: BytesIn<T.SignRequest, "message" | "mu" | "context">;
  verify: BytesIn<T.VerifyRequest, "message" | "mu" | "context" | "signature">;
  mac: BytesIn<T.MacRequest, "message">;
  "verify-mac": BytesIn<T.VerifyMacRequest, "message" | "mac">;
}

type BatchOk = Extract<T.BatchResult["results"][number], { ok: true }>;
/** One item's answer in a batch: its output bytes, or why it failed. */
export type BatchItemResult = WithBytes<BatchOk, "ciphertext" | "plaintext" | "signature" | "mac"> | Extract<T.BatchResult["results"][number], { ok: false }>;

const BATCH_BYTES = ["plaintext", "aad", "ciphertext", "message", "mu", "context", "signature", "mac"] as const;
const optional = (value: Bytes | undefined) => (value === undefined ? undefined : b64(value));

function signFields(input: SignInput, context: Bytes | undefined) {
  if (typeof input === "object" && !(input instanceof Uint8Array)) return { mu: b64(input.mu), context: optional(context) };
  return { message: b64(input), context: optional(context) };
}

/** Operations with a key, by id or `alias:NAME`. */
export class KeyCrypto {
  /** @internal */
  protected readonly t: Transport;

  /** @internal Made by `Pqkms`. */
  constructor(transport: Transport) {
    this.t = transport;
  }

  /** Encrypts `plaintext` (at most 256 KiB) into a PQK envelope with the key's primary version (HPKE, DESIGN §7). */
  async encrypt(key: string, plaintext: Bytes, options: AadOptions = {}): Promise<WithBytes<T.Ciphertext, "ciphertext">> {
    const body = { plaintext: b64(plaintext), aad: optional(options.aad) };
    return decodeFields(await this.t.json<T.Ciphertext>("encrypt", { params: { key }, body }, options), ["ciphertext"]);
  }

  /** Opens an envelope this key made. */
  async decrypt(key: string, ciphertext: Uint8Array, options: AadOptions = {}): Promise<WithBytes<T.Plaintext, "plaintext">> {
    const body = { ciphertext: b64(ciphertext), aad: optional(options.aad) };
    return decodeFields(await this.t.json<T.Plaintext>("decrypt", { params: { key }, body }, options), ["plaintext"]);
  }

  /** Re-encrypts an envelope under the key's primary version, without the plaintext leaving the service. */
  async rewrap(key: string, ciphertext: Uint8Array, options: AadOptions = {}): Promise<WithBytes<T.Rewrapped, "ciphertext">> {
    const body = { ciphertext: b64(ciphertext), aad: optional(options.aad) };
    return decodeFields(await this.t.json<T.Rewrapped>("rewrap", { params: { key }, body }, options), ["ciphertext"]);
  }

  /**
   * A fresh 32-byte AES-256-GCM data key sealed to this key; with `plaintext: true` the key itself
   * too (use it, then discard it).
   */
  async generateDataKey(key: string, options: AadOptions & { plaintext?: boolean } = {}): Promise<WithBytes<T.DataKey, "ciphertext" | "plaintext">> {
    const body = { plaintext: options.plaintext ?? false, aad: optional(options.aad) };
    return decodeFields(await this.t.json<T.DataKey>("generateDataKey", { params: { key }, body }, options), ["ciphertext", "plaintext"]);
  }

  /** ML-KEM encapsulation (FIPS 203) to the key's primary version: a ciphertext and its shared secret. */
  async encapsulate(key: string, options: CallOptions = {}): Promise<WithBytes<T.Encapsulation, "ciphertext" | "shared_secret">> {
    return decodeFields(await this.t.json<T.Encapsulation>("encapsulate", { params: { key } }, options), ["ciphertext", "shared_secret"]);
  }

  /** ML-KEM decapsulation (FIPS 203): the shared secret of a ciphertext made for this key. */
  async decapsulate(key: string, ciphertext: Uint8Array, options: VersionOptions = {}): Promise<WithBytes<T.SharedSecret, "shared_secret">> {
    const body = { ciphertext: b64(ciphertext), key_version: options.keyVersion };
    return decodeFields(await this.t.json<T.SharedSecret>("decapsulate", { params: { key }, body }, options), ["shared_secret"]);
  }

  /** Signs a message (or external μ) with the key's primary version (ML-DSA, SLH-DSA, composite). */
  async sign(key: string, input: SignInput, options: SignOptions = {}): Promise<WithBytes<T.Signature, "signature">> {
    const body = signFields(input, options.context);
    return decodeFields(await this.t.json<T.Signature>("sign", { params: { key }, body }, options), ["signature"]);
  }

  /** Checks a signature; `valid: false` is an answer, not an error. */
  async verify(key: string, input: SignInput, signature: Uint8Array, options: SignOptions & VersionOptions = {}): Promise<T.Verification> {
    const body = { ...signFields(input, options.context), signature: b64(signature), key_version: options.keyVersion };
    return this.t.json<T.Verification>("verify", { params: { key }, body }, options);
  }

  /** The HMAC of a message with the key's primary version. */
  async mac(key: string, message: Bytes, options: CallOptions = {}): Promise<WithBytes<T.Mac, "mac">> {
    return decodeFields(await this.t.json<T.Mac>("mac", { params: { key }, body: { message: b64(message) } }, options), ["mac"]);
  }

  /** Checks an HMAC in constant time on the service; `valid: false` is an answer, not an error. */
  async verifyMac(key: string, message: Bytes, mac: Uint8Array, options: VersionOptions = {}): Promise<T.MacVerification> {
    const body = { message: b64(message), mac: b64(mac), key_version: options.keyVersion };
    return this.t.json<T.MacVerification>("verifyMac", { params: { key }, body }, options);
  }

  /**
   * Up to 100 items of one operation on one key in one request, answered item by item (an invalid
   * item fails alone, with its code).
   */
  async batch<O extends T.BatchOperation>(
    key: string,
    operation: O,
    items: readonly BatchItems[O][],
    options: CallOptions = {},
  ): Promise<{ operation: O; results: BatchItemResult[] }> {
    const wire = items.map((item) => {
      const out: Record<string, unknown> = { ...item };
      for (const field of BATCH_BYTES) if (out[field] !== undefined) out[field] = b64(toBytes(out[field] as Bytes));
      return out;
    });
    const answer = await this.t.json<T.BatchResult>("batch", { params: { key }, body: { operation, items: wire } }, options);
    const results = answer.results.map((r) => (r.ok ? decodeFields(r, ["ciphertext", "plaintext", "signature", "mac"]) : r));
    return { operation, results };
  }
}
