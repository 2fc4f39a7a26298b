/**
 * TenantSigner Durable Object: one per tenant (`placedId(SIGNER, placement, tenantId)`), beside its TenantVault
 * (architecture §8, "Slow signatures"). It makes the signatures that cost seconds of CPU (SLH-DSA,
 * slow-signatures.ts), so that the vault, which awaits it with its input gate open, goes on serving
 * the tenant's other operations meanwhile: in production every Durable Object runs on its own.
 *
 * Trust boundary: reached only by the kms Worker's own TenantVault (the binding is not exposed by
 * KmsService). It receives a wrapped secret and decodes it only for the length of one signature,
 * with the vault's own code (KeyMaterial, crypto-operations.ts); the decoded key is zeroed before
 * the answer leaves. It keeps no storage and no secret between calls. It signs only for its own
 * tenant and only slow algorithms: anything else is a routing bug, refused as `internal_error`.
 */
import { DurableObject } from "cloudflare:workers";
import { fail, type Result } from "../../../shared/errors.ts";
import { NobleProvider } from "../crypto/noble-provider.ts";
import * as ops from "../vault/crypto-operations.ts";
import { KeyMaterial } from "../vault/key-material.ts";
import { SLOW_SIGNATURES } from "../vault/slow-signatures.ts";
import type { Signer, SignerAnswer, SignerRequest } from "./signer-request.ts";
import { placedId } from "../../../shared/placement.ts";

export class TenantSigner extends DurableObject<KmsEnv> implements Signer {
  readonly #provider = new NobleProvider();
  #signed = 0;

  /** How many signatures this instance has made (not secret: lets tests see who did the work). */
  get signatureCount(): number {
    return this.#signed;
  }

  async sign(request: SignerRequest): Promise<SignerAnswer> {
    const refused = this.#refusal(request);
    if (refused) return refused;
    // A KeyMaterial of its own per call, cache of one: the decoded key is this call's alone, and
    // `forget` zeroes it when the signature is done (a shared cache would let a concurrent call
    // zero it mid-use, or keep it past a destroy the signer never hears of).
    const material = new KeyMaterial(this.#provider, this.env, 1);
    const { tenantId, keyId, version, algorithm, publicKey, wrapped, kekId, input } = request;
    try {
      const answer = await ops.sign(
        this.#provider,
        { keyId, algorithm, version, publicKey },
        () => material.load(tenantId, { keyId, version, algorithm, wrapped, kekId }),
        input,
      );
      if (answer.ok) this.#signed++;
      return answer;
    } finally {
      material.forget(keyId);
    }
  }

  #refusal(request: SignerRequest): Result<never> | null {
    if (!placedId(this.env.SIGNER, request.placement, request.tenantId).equals(this.ctx.id)) return fail("internal_error", "signer tenant mismatch");
    if (!SLOW_SIGNATURES.has(request.algorithm)) return fail("internal_error", `${request.algorithm} is not signed by the signer`);
    return null;
  }
}
