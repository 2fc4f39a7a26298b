/**
 * Which tenant a vault belongs to, and in which namespace it was reached (shared/placement.ts): both
 * written to `vault_meta` by the first admitted call and checked on every call after it. A vault
 * answers its one tenant only; a call naming another tenant or placement is refused as an internal
 * error (the kms Worker derives the vault's id from the same two values, so it never sends one).
 */
import { fail, type Failure } from "../../../shared/errors.ts";
import type { Placement } from "../../../shared/placement.ts";
import type { CallContext } from "../../../shared/rpc.ts";

export class VaultBinding {
  readonly #sql: SqlStorage;
  /** The tenant, once read (it never changes after the first call). */
  #tenantId: string | undefined;
  #placed: Placement | undefined;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** The bound tenant, or undefined before the first call. */
  owner(): string | undefined {
    this.#tenantId ??= this.#sql.exec<{ value: string }>("SELECT value FROM vault_meta WHERE name = 'tenant_id'").toArray()[0]?.value;
    return this.#tenantId;
  }

  /**
   * The namespace this vault was reached in, recorded when it is bound; a vault bound before
   * placement was recorded is in the default namespace, where every vault was.
   */
  placement(): Placement {
    this.#placed ??= this.#sql.exec<{ value: Placement }>("SELECT value FROM vault_meta WHERE name = 'placement'").toArray()[0]?.value ?? "default";
    return this.#placed;
  }

  /** Binds the vault to the call's tenant and placement on first use; afterwards only those are accepted. */
  admit(call: CallContext): Failure | null {
    const owner = this.owner();
    if (owner === undefined) {
      this.#sql.exec("INSERT INTO vault_meta (name, value) VALUES ('tenant_id', ?), ('placement', ?)", call.tenantId, call.placement);
      this.#tenantId = call.tenantId;
      this.#placed = call.placement;
      return null;
    }
    if (owner !== call.tenantId) return fail("internal_error", "vault tenant mismatch");
    return this.placement() === call.placement ? null : fail("internal_error", "vault placement mismatch");
  }
}
