/**
 * The vault's side of slow signatures (architecture §8, "Slow signatures"): admission (pure, in
 * vault/slow-signatures.ts) over an in-memory record of what is in flight, then the signature made
 * by the tenant's TenantSigner from the version's wrapped secret. The vault's crypto frame calls this
 * after its checks and writes the audit row from what it returns, in its own transaction.
 *
 * Failure: a signer that throws (unreachable, reset, out of CPU) is answered as a value, 503
 * `kms_unavailable`, which the frame audits as failed: no signature, nothing recorded as allowed.
 * The ticket is released in `finally`, whatever happened, so a failure never blocks the tenant's
 * next slow signature.
 */
import { fail } from "../../../shared/errors.ts";
import type { CallContext, SignInputWire } from "../../../shared/rpc.ts";
import type { AlgorithmName } from "../crypto/algorithms.ts";
import { admitSignature, NO_SLOW_SIGNATURE_IN_FLIGHT, releaseSignature, type SlowSignatureState } from "../vault/slow-signatures.ts";
import type { Signer, SignerAnswer } from "./signer-request.ts";

/** A key version's secret as the vault stores it: what the signer needs to unwrap it. */
export interface WrappedVersion {
  readonly keyId: string;
  readonly version: number;
  readonly algorithm: AlgorithmName;
  readonly publicKey: Uint8Array | null;
  readonly wrapped: ArrayBuffer | null;
  readonly kekId: string;
}

export class SlowSigning {
  /** The caller's signer, placed with its vault (same tenant, same placement). */
  readonly #signerOf: (call: CallContext) => Signer;
  readonly #now: () => number;
  #state: SlowSignatureState = NO_SLOW_SIGNATURE_IN_FLIGHT;

  constructor(signerOf: (call: CallContext) => Signer, now: () => number) {
    this.#signerOf = signerOf;
    this.#now = now;
  }

  /** Admits the signature or refuses it at once (429 with Retry-After); an admitted one is made by the signer. */
  async sign(call: CallContext, version: WrappedVersion, input: SignInputWire): Promise<SignerAnswer> {
    const decision = admitSignature(this.#state, version.algorithm, this.#now());
    this.#state = decision.state;
    if (decision.refusal) return decision.refusal;
    const { ticket } = decision;
    if (ticket === null) throw new TypeError(`${version.algorithm} is not a slow signature`);
    try {
      // The key rows were checked by the frame; a slow signature key always has both.
      if (version.wrapped === null || version.publicKey === null) return fail("internal_error", "key material unavailable");
      const { keyId, algorithm, publicKey, wrapped, kekId } = version;
      return await this.#signerOf(call).sign({ tenantId: call.tenantId, placement: call.placement, keyId, version: version.version, algorithm, publicKey, wrapped, kekId, input });
    } catch {
      return fail("kms_unavailable", "The signer did not answer");
    } finally {
      this.#state = releaseSignature(this.#state, ticket);
    }
  }
}
