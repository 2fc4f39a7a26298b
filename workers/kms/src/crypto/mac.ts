/**
 * HMAC keys (RFC 2104, FIPS 198-1) for both providers: one engine through Web Crypto ("HMAC" with
 * SHA-256/384/512), one in pure TypeScript through @noble/hashes (the reference); each provider
 * makes its own family of `MacKeyHandle`s, which refuses the other's handles.
 *
 * Verification never compares tags with `===`: the Web Crypto engine asks `crypto.subtle.verify`,
 * which compares in constant time; the noble engine recomputes the tag and compares with
 * `constantTimeEqual` (time depends on the lengths only). A tag of the wrong length is public
 * information and simply verifies false (RFC 2104 §5 truncation is not offered: tags are always L
 * bytes).
 *
 * Trust boundary: runs inside the TenantVault DO. Keys come from the vault's unwrapped storage;
 * messages and tags come from tenants. Decoded keys live only in a module-private WeakMap keyed by
 * the handle: a non-extractable CryptoKey, or (noble) a copy of the key bytes, wiped on destroy.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { ALGORITHMS, isAlgorithmName, type MacAlgorithm, type MacAlgorithmName } from "./algorithms.ts";
import { arrayBufferBacked, constantTimeEqual, wipe } from "./bytes.ts";
import { assertBytes, assertLength, CryptoInputError } from "./errors.ts";
import type { MacKeyHandle } from "./provider.ts";

/** A loaded HMAC key: tag a message, or check a tag. */
export interface MacKey {
  mac(message: Uint8Array): Promise<Uint8Array>;
  verify(message: Uint8Array, tag: Uint8Array): Promise<boolean>;
  /** Zeroes any raw key bytes this object holds (Web Crypto keys hold none in JS memory). */
  dispose(): void;
}

/** Builds a `MacKey` from the stored key bytes; the caller may wipe them afterwards. */
export type MacEngine = (spec: MacAlgorithm, key: Uint8Array) => Promise<MacKey>;

/** Web Crypto HMAC: the key is imported non-extractable; verify compares in constant time. */
export const webCryptoHmac: MacEngine = async (spec, raw) => {
  const params = { name: "HMAC", hash: spec.hash, length: raw.length * 8 };
  const key = await crypto.subtle.importKey("raw", arrayBufferBacked(raw), params, false, ["sign", "verify"]);
  return {
    mac: async (message) => new Uint8Array(await crypto.subtle.sign("HMAC", key, arrayBufferBacked(message))),
    verify: (message, tag) => crypto.subtle.verify("HMAC", key, arrayBufferBacked(tag), arrayBufferBacked(message)),
    dispose() {},
  };
};

const NOBLE_HASHES = { "SHA-256": sha256, "SHA-384": sha384, "SHA-512": sha512 } as const;

/** Pure-TypeScript HMAC (@noble/hashes); the tag check recomputes and compares in constant time. */
export const nobleHmac: MacEngine = async (spec, raw) => {
  const key = raw.slice();
  const hash = NOBLE_HASHES[spec.hash];
  return {
    mac: async (message) => hmac(hash, key, message),
    async verify(message, tag) {
      const expected = hmac(hash, key, message);
      try {
        return constantTimeEqual(expected, tag);
      } finally {
        wipe(expected);
      }
    },
    dispose: () => wipe(key),
  };
};

/** The HMAC catalog entry for a name, or `CryptoInputError` naming the operation. */
export function macSpecOf(operation: string, name: unknown): MacAlgorithm {
  const spec = isAlgorithmName(name) ? ALGORITHMS[name] : undefined;
  if (spec?.kind !== "mac") throw new CryptoInputError(operation, `not an HMAC algorithm: ${String(name)}`);
  return spec;
}

export interface MacHandles {
  /** Loads a stored HMAC key (exactly the catalog's `secretLength` bytes). */
  importKey(algorithm: MacAlgorithmName, key: Uint8Array): Promise<MacKeyHandle>;
  /** The full-length tag of `message`. */
  mac(handle: MacKeyHandle, message: Uint8Array): Promise<Uint8Array>;
  /** Whether `tag` is the tag of `message`; false for any tag of the wrong length. */
  verify(handle: MacKeyHandle, message: Uint8Array, tag: Uint8Array): Promise<boolean>;
}

/** A family of HMAC handles backed by `engine`; handles of other families are refused. */
export function macHandles(engine: MacEngine): MacHandles {
  const keys = new WeakMap<object, MacKey>();

  class Handle implements MacKeyHandle {
    readonly algorithm: MacAlgorithmName;

    constructor(algorithm: MacAlgorithmName, key: MacKey) {
      this.algorithm = algorithm;
      keys.set(this, key);
    }

    get usable(): boolean {
      return keys.has(this);
    }

    destroy(): void {
      keys.get(this)?.dispose();
      keys.delete(this);
    }

    /** Serialises to the algorithm name only: a handle never prints key material. */
    toJSON(): { algorithm: MacAlgorithmName } {
      return { algorithm: this.algorithm };
    }
  }

  const use = (operation: string, handle: MacKeyHandle): { spec: MacAlgorithm; key: MacKey } => {
    const spec = macSpecOf(operation, handle?.algorithm);
    const key = handle instanceof Handle ? keys.get(handle) : undefined;
    if (key === undefined) {
      throw new CryptoInputError(`${spec.name} ${operation}`, handle instanceof Handle ? "key has been destroyed" : "key was not created by this provider");
    }
    return { spec, key };
  };

  return {
    async importKey(algorithm, raw) {
      const spec = macSpecOf("importMacKey", algorithm);
      assertLength(`${spec.name} importMacKey`, "key", raw, spec.secretLength);
      return new Handle(spec.name, await engine(spec, raw));
    },
    async mac(handle, message) {
      const { spec, key } = use("mac", handle);
      assertBytes(`${spec.name} mac`, "message", message);
      return key.mac(message);
    },
    async verify(handle, message, tag) {
      const { spec, key } = use("verifyMac", handle);
      assertBytes(`${spec.name} verifyMac`, "message", message);
      assertBytes(`${spec.name} verifyMac`, "tag", tag);
      // The length of a tag is public; only its bytes are compared in constant time.
      if (tag.length !== spec.tagLength) return false;
      return key.verify(message, tag);
    },
  };
}
