/**
 * What the TenantVault sends its tenant's signer (architecture §8, "Slow signatures"): the key
 * version's secret as stored — wrapped under the tenant's KEK-derived key, never in plaintext — and
 * the caller's input. The vault has already done every check (tenant, key state, version, algorithm,
 * admission); the signer only unwraps, signs and answers the signature.
 */
import type { Result } from "../../../shared/errors.ts";
import type { SignInputWire } from "../../../shared/rpc.ts";
import type { Placement } from "../../../shared/placement.ts";
import type { AlgorithmName } from "../crypto/algorithms.ts";

export interface SignerRequest {
  /** The tenant whose signer this must be (checked against the object's own id). */
  readonly tenantId: string;
  /** The namespace the tenant's objects are placed in (shared/placement.ts), part of the id check. */
  readonly placement: Placement;
  readonly keyId: string;
  readonly version: number;
  readonly algorithm: AlgorithmName;
  /** The version's public key, as the vault stores it. */
  readonly publicKey: Uint8Array;
  /** The version's secret, wrapped (crypto/wrap.ts): it unwraps only for this tenant, key, version, algorithm. */
  readonly wrapped: ArrayBuffer;
  readonly kekId: string;
  readonly input: SignInputWire;
}

export type SignerAnswer = Result<{ signature: Uint8Array; key_version: number }>;

/** The signer as the vault sees it: one RPC method (a Durable Object stub of TenantSigner, in production). */
export interface Signer {
  sign(request: SignerRequest): Promise<SignerAnswer>;
}
