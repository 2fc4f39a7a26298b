/**
 * AEAD algorithms by their HPKE identifier (RFC 9180 §7.3): AES-128-GCM (0x0001) and AES-256-GCM
 * (0x0002) through Web Crypto (SP 800-38D, 96-bit nonce, 128-bit tag), ChaCha20-Poly1305 (0x0003)
 * through @noble/ciphers (RFC 8439). HPKE uses them for its payload; symmetric keys (the provider's
 * `importSecretKey`, for AEAD envelopes with alg ids 0x0001 AES-256-GCM / 0x0002 ChaCha20-Poly1305,
 * architecture §7) use the same code.
 *
 * Trust boundary: keys are the caller's secrets (from the HPKE key schedule, or a tenant's symmetric
 * key version); ciphertexts and AAD come from tenants. `open` throws `AeadOpenError` for any authentication failure and says nothing
 * about why.
 */
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { HPKE_AEAD_ID } from "./algorithms.ts";
import { arrayBufferBacked, wipe } from "./bytes.ts";
import { assertBytes, assertLength, CryptoInputError } from "./errors.ts";

/** Authentication failed: wrong key, nonce, AAD, or a modified ciphertext. Deliberately vague. */
export class AeadOpenError extends Error {
  constructor() {
    super("aead open: authentication failed");
    this.name = "AeadOpenError";
  }
}

/** A key bound to one AEAD algorithm. */
export interface AeadKey {
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;
  open(nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array>;
  /** Zeroes any raw key bytes this object holds (Web Crypto keys hold none in JS memory). */
  dispose(): void;
}

export interface Aead {
  readonly id: number;
  readonly name: string;
  /** RFC 9180 §7.3: key, nonce and tag lengths. */
  readonly Nk: number;
  readonly Nn: number;
  readonly Nt: number;
  /** Imports raw key bytes; the caller may wipe them afterwards. */
  importKey(key: Uint8Array): Promise<AeadKey>;
}

function checkCall(name: string, aead: { Nn: number; Nt: number }, nonce: Uint8Array, aad: Uint8Array, data: Uint8Array, opening: boolean): void {
  const operation = `${name} ${opening ? "open" : "seal"}`;
  assertLength(operation, "nonce", nonce, aead.Nn);
  assertBytes(operation, "aad", aad);
  assertBytes(operation, opening ? "ciphertext" : "plaintext", data);
  if (opening && data.length < aead.Nt) throw new CryptoInputError(operation, `ciphertext must be at least ${aead.Nt} bytes (the tag)`);
}

function webCryptoAesGcm(id: number, name: string, Nk: number): Aead {
  const spec = { id, name, Nk, Nn: 12, Nt: 16 };
  return Object.freeze({
    ...spec,
    async importKey(raw: Uint8Array): Promise<AeadKey> {
      assertLength(`${name} importKey`, "key", raw, Nk);
      // Non-extractable: the key bytes cannot be read back out of Web Crypto.
      const key = await crypto.subtle.importKey("raw", arrayBufferBacked(raw), { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
      return {
        async seal(nonce, aad, plaintext) {
          checkCall(name, spec, nonce, aad, plaintext, false);
          const params = { name: "AES-GCM", iv: arrayBufferBacked(nonce), additionalData: arrayBufferBacked(aad), tagLength: 128 };
          return new Uint8Array(await crypto.subtle.encrypt(params, key, arrayBufferBacked(plaintext)));
        },
        async open(nonce, aad, ciphertext) {
          checkCall(name, spec, nonce, aad, ciphertext, true);
          const params = { name: "AES-GCM", iv: arrayBufferBacked(nonce), additionalData: arrayBufferBacked(aad), tagLength: 128 };
          try {
            return new Uint8Array(await crypto.subtle.decrypt(params, key, arrayBufferBacked(ciphertext)));
          } catch {
            throw new AeadOpenError();
          }
        },
        dispose() {},
      };
    },
  });
}

const CHACHA20_POLY1305: Aead = Object.freeze({
  id: HPKE_AEAD_ID.CHACHA20_POLY1305,
  name: "ChaCha20-Poly1305",
  Nk: 32,
  Nn: 12,
  Nt: 16,
  async importKey(raw: Uint8Array): Promise<AeadKey> {
    assertLength("ChaCha20-Poly1305 importKey", "key", raw, 32);
    const key = raw.slice();
    return {
      async seal(nonce, aad, plaintext) {
        checkCall("ChaCha20-Poly1305", CHACHA20_POLY1305, nonce, aad, plaintext, false);
        return chacha20poly1305(key, nonce, aad).encrypt(plaintext);
      },
      async open(nonce, aad, ciphertext) {
        checkCall("ChaCha20-Poly1305", CHACHA20_POLY1305, nonce, aad, ciphertext, true);
        try {
          return chacha20poly1305(key, nonce, aad).decrypt(ciphertext);
        } catch {
          throw new AeadOpenError();
        }
      },
      dispose() {
        wipe(key);
      },
    };
  },
});

const AEADS: ReadonlyMap<number, Aead> = new Map([
  [HPKE_AEAD_ID.AES_128_GCM, webCryptoAesGcm(HPKE_AEAD_ID.AES_128_GCM, "AES-128-GCM", 16)],
  [HPKE_AEAD_ID.AES_256_GCM, webCryptoAesGcm(HPKE_AEAD_ID.AES_256_GCM, "AES-256-GCM", 32)],
  [HPKE_AEAD_ID.CHACHA20_POLY1305, CHACHA20_POLY1305],
]);

/** The AEAD with this HPKE id, if supported. Export-only (0xFFFF) is not. */
export function aeadById(id: number): Aead | undefined {
  return AEADS.get(id);
}
