/**
 * Private-key handles whose decoded secrets live outside the handle (architecture §8): each provider
 * makes its own family, whose states sit in a module-private WeakMap keyed by the handle. A handle
 * has no secret field of its own, serialises to its algorithm name only, and is refused by any other
 * family (another provider's handle is not this one's).
 *
 * Trust boundary: runs inside the TenantVault DO (and the tenant's signer); only the provider that
 * made a family can read its states.
 */
import type { AlgorithmName } from "./algorithms.ts";
import { CryptoInputError } from "./errors.ts";
import type { PrivateKeyHandle } from "./provider.ts";

export interface PrivateHandles<S> {
  /** A new handle for a key pair; `state` is what the provider keeps to use it. */
  create(algorithm: AlgorithmName, publicKey: Uint8Array, state: S): PrivateKeyHandle;
  /** The handle's state; throws `CryptoInputError` naming `operation` when it is destroyed or foreign. */
  state(operation: string, handle: PrivateKeyHandle): S;
}

/** A family of handles; `wipe` zeroes a state when its handle is destroyed. */
export function privateHandles<S>(wipe: (state: S) => void): PrivateHandles<S> {
  const states = new WeakMap<object, S>();

  class Handle implements PrivateKeyHandle {
    readonly algorithm: AlgorithmName;
    readonly #publicKey: Uint8Array;

    constructor(algorithm: AlgorithmName, publicKey: Uint8Array, state: S) {
      this.algorithm = algorithm;
      this.#publicKey = publicKey;
      states.set(this, state);
    }

    get publicKey(): Uint8Array {
      return this.#publicKey.slice();
    }

    get usable(): boolean {
      return states.has(this);
    }

    destroy(): void {
      const state = states.get(this);
      if (state !== undefined) wipe(state);
      states.delete(this);
    }

    /** Serialises to the algorithm name only: a handle never prints key material. */
    toJSON(): { algorithm: AlgorithmName } {
      return { algorithm: this.algorithm };
    }
  }

  return {
    create: (algorithm, publicKey, state) => new Handle(algorithm, publicKey, state),
    state(operation, handle) {
      const state = handle instanceof Handle ? states.get(handle) : undefined;
      if (state === undefined) {
        throw new CryptoInputError(operation, handle instanceof Handle ? "private key has been destroyed" : "private key was not created by this provider");
      }
      return state;
    },
  };
}
