/**
 * The vault's audit-at-scale surface (architecture §9): verification from the latest checkpoint,
 * the log's checkpoints, and, in the platform's vault only, the audit signing key. TenantVault
 * admits each call and hands it here.
 *
 * Every vault but the platform's reaches the key through the platform vault's Durable Object stub
 * (`signCheckpoint`, `auditKeys`): stubs exist only inside the kms Worker, so nothing outside it can
 * ask for a signature. The platform's vault signs and reads its own key directly.
 */
import { fail, ok, type Result } from "../../../shared/errors.ts";
import { AUDIT_KEY_ALGORITHM, type MlDsaVerify, type SignedCheckpoint } from "../../../shared/audit/archive-format.ts";
import { PLATFORM_AUDIT_TENANT, type AuditCheckpointView, type AuditKeyView, type AuditVerdictView, type CallContext } from "../../../shared/rpc.ts";
import type { CryptoProvider } from "../crypto/provider.ts";
import { AuditKeys, type CheckpointFields } from "./audit-keys.ts";
import { AuditKeyBook, vaultLogSource, verifyLog, type VerifyFrom } from "./audit-verify.ts";
import { Checkpoints, platformSigner } from "./checkpoints.ts";
import type { VaultParts } from "./vault-parts.ts";

/** ML-DSA-65 verification through the vault's provider (native Web Crypto where the runtime has it). */
export function providerVerify(provider: CryptoProvider): MlDsaVerify {
  return async (publicKey, message, signature, context) => {
    try {
      return await provider.verify(AUDIT_KEY_ALGORITHM, publicKey, { message }, signature, context);
    } catch {
      return false;
    }
  };
}

export class VaultAudit {
  readonly #parts: VaultParts;
  readonly #keys: AuditKeys;
  readonly #book: AuditKeyBook;
  readonly checkpoints: Checkpoints;

  constructor(parts: VaultParts, env: Pick<KmsEnv, "VAULT" | "AUDIT_ARCHIVE">, isPlatform: boolean) {
    this.#parts = parts;
    this.#keys = new AuditKeys(parts);
    const signer = isPlatform ? (fields: CheckpointFields) => this.#keys.sign(this.system(), fields) : platformSigner(env);
    this.checkpoints = new Checkpoints(parts, env.AUDIT_ARCHIVE, signer);
    this.#book = new AuditKeyBook(async () => {
      if (isPlatform) return this.#keys.list(this.system());
      const listed = await env.VAULT.get(env.VAULT.idFromName(PLATFORM_AUDIT_TENANT)).auditKeys();
      return listed.ok ? ok(listed.value.keys) : listed;
    });
  }

  /** Who makes the key on first need: the platform itself, on behalf of whichever log asked. */
  system(): CallContext {
    return { tenantId: PLATFORM_AUDIT_TENANT, placement: "default", apiKeyId: "system", requestId: `audit-key-${this.#parts.now()}` };
  }

  // ---- platform vault only (TenantVault checks) ------------------------------------------------

  signCheckpoint(fields: CheckpointFields): Promise<Result<SignedCheckpoint>> {
    return this.#keys.sign(this.system(), fields);
  }

  async keys(): Promise<Result<{ keys: AuditKeyView[] }>> {
    const keys = await this.#keys.list(this.system());
    return keys.ok ? ok({ keys: keys.value }) : keys;
  }

  rotateKey(call: CallContext): Promise<Result<AuditKeyView>> {
    return this.#keys.rotate(call);
  }

  // ---- every vault ------------------------------------------------------------------------------

  verify(call: CallContext, from: VerifyFrom): Promise<Result<AuditVerdictView>> {
    if (from !== "checkpoint" && from !== "window") return Promise.resolve(fail("invalid_request", "query.from: checkpoint or window"));
    const source = vaultLogSource(this.#parts.storage.sql, call.tenantId, this.#parts.audit(call).head(), () => this.checkpoints.latest());
    return verifyLog(source, from, this.#book, providerVerify(this.#parts.provider));
  }

  listCheckpoints(tenant: string, input: { limit: number; cursor?: string }): Promise<Result<{ checkpoints: AuditCheckpointView[]; next_cursor: string | null }>> {
    return this.checkpoints.list(tenant, input);
  }

  createCheckpoint(call: CallContext): Promise<Result<{ checkpoint: AuditCheckpointView; created: boolean }>> {
    return this.checkpoints.createOnDemand(call);
  }
}
