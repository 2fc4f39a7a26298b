/**
 * The platform's ML-DSA-65 audit signing key (architecture §9): it signs every log's checkpoints.
 * Only the platform's vault (tenant `platform`) holds it, in `audit_keys`: each version's seed
 * wrapped like a key version's secret (wrap.ts, bound to `audit-signing-key`, its version and
 * algorithm), its public key in the clear. No method returns a seed; the key is never exportable.
 *
 * A version's id is the RFC 7638 thumbprint of its public JWK (public-key-formats.ts), so anyone
 * holding the published keys can tell which one signed a checkpoint. The first version is made on
 * first need; a rotation makes the next and closes the previous one's validity at the same instant.
 * Both are audited in the platform's own log in the transaction that writes the key row.
 *
 * Validity is half-open, [valid_from, valid_until), and a checkpoint is checked against it
 * (`checkCheckpoint`). Workers freeze the clock between I/O, so a rotation and a signature can read
 * the same millisecond: a rotation therefore starts one millisecond after both the clock and the
 * current version's start, and a signature is dated no earlier than its key's start. Signing,
 * creating and rotating run one at a time (a queue of their own, not the vault's mutation queue, so
 * a checkpoint of the platform's own log can be signed from inside a vault mutation), so every
 * signature lies inside its key's validity.
 */
import { fail, ok, type Result } from "../../../shared/errors.ts";
import { AUDIT_KEY_ALGORITHM, CHECKPOINT_CONTEXT, CHECKPOINT_FORMAT, checkpointPayloadText, parseCheckpointPayload, type SignedCheckpoint } from "../../../shared/audit/archive-format.ts";
import { toBase64 } from "../../../shared/base64.ts";
import type { SystemOperation } from "../../../shared/operations.ts";
import { PLATFORM_AUDIT_TENANT, type AuditKeyView, type CallContext } from "../../../shared/rpc.ts";
import { utf8 } from "../crypto/bytes.ts";
import type { PrivateKeyHandle } from "../crypto/provider.ts";
import { encodeJwk, encodePem } from "../crypto/public-key-formats.ts";
import { SerialQueue } from "./serial-queue.ts";
import type { VaultParts } from "./vault-parts.ts";

/** The wrap binding's key id of every audit key version (and its slot in the key cache). */
export const AUDIT_SIGNING_KEY = "audit-signing-key";

/** What a log asks the platform to sign; the platform adds the time and its key id. */
export interface CheckpointFields {
  tenant: string;
  seq: number;
  hash: string;
  segment: string | null;
  segment_sha256: string | null;
}

interface AuditKeyRow extends Record<string, SqlStorageValue> {
  key_id: string;
  version: number;
  public_key: ArrayBuffer;
  wrapped_secret: ArrayBuffer;
  kek_id: string;
  valid_from: number;
  valid_until: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function auditKeyView(row: Pick<AuditKeyRow, "key_id" | "public_key" | "valid_from" | "valid_until">): Promise<AuditKeyView> {
  const publicKey = new Uint8Array(row.public_key);
  const jwk = await encodeJwk(AUDIT_KEY_ALGORITHM, publicKey);
  return {
    key_id: row.key_id,
    algorithm: AUDIT_KEY_ALGORITHM,
    valid_from: iso(row.valid_from),
    valid_until: row.valid_until === null ? null : iso(row.valid_until),
    status: row.valid_until === null ? "current" : "retired",
    public_key: { pem: encodePem(AUDIT_KEY_ALGORITHM, publicKey), jwk: { ...jwk } },
  };
}

export class AuditKeys {
  readonly #parts: VaultParts;
  readonly #queue = new SerialQueue();

  constructor(parts: VaultParts) {
    this.#parts = parts;
  }

  #rows(): AuditKeyRow[] {
    return this.#parts.storage.sql.exec<AuditKeyRow>("SELECT * FROM audit_keys ORDER BY version DESC").toArray();
  }

  #current(): AuditKeyRow | undefined {
    return this.#rows().find((row) => row.valid_until === null);
  }

  /** Every version, newest first; makes the first one if there is none yet. */
  async list(call: CallContext): Promise<Result<AuditKeyView[]>> {
    const current = await this.#queue.run(() => this.#currentOrCreate(call));
    if (!current.ok) return current;
    return ok(await Promise.all(this.#rows().map(auditKeyView)));
  }

  /** A new version; the current one is retired at the same instant (never deleted: old checkpoints stay checkable). */
  async rotate(call: CallContext): Promise<Result<AuditKeyView>> {
    return this.#queue.run(async () => {
      const current = await this.#currentOrCreate(call);
      if (!current.ok) return current;
      const at = Math.max(this.#parts.now(), current.value.valid_from) + 1;
      const made = await this.#make(call, "audit.keys.rotate", current.value.version + 1, at, current.value.key_id);
      return made.ok ? ok(await auditKeyView(made.value)) : made;
    });
  }

  /** Signs a checkpoint with the current version: the exact `checkpointPayloadText`, UTF-8, context CHECKPOINT_CONTEXT. */
  async sign(call: CallContext, fields: CheckpointFields): Promise<Result<SignedCheckpoint>> {
    return this.#queue.run(async () => {
      const current = await this.#currentOrCreate(call);
      if (!current.ok) return current;
      const key = current.value;
      const payload = checkpointPayloadText({
        format: CHECKPOINT_FORMAT, tenant: fields.tenant, seq: fields.seq, hash: fields.hash,
        time: iso(Math.max(this.#parts.now(), key.valid_from)), segment: fields.segment, segment_sha256: fields.segment_sha256, key_id: key.key_id,
      });
      // Only what parses back as a checkpoint is signed (archive-format.ts).
      if (parseCheckpointPayload(payload) === null) return fail("invalid_request", "not a checkpoint: tenant, seq, hash, segment or segment_sha256");
      const handle = await this.#parts.material.load(PLATFORM_AUDIT_TENANT, {
        keyId: AUDIT_SIGNING_KEY, version: key.version, algorithm: AUDIT_KEY_ALGORITHM, wrapped: key.wrapped_secret, kekId: key.kek_id,
      });
      if ("ok" in handle) return fail("audit_unavailable", "the audit signing key cannot be loaded");
      const signature = await this.#parts.provider.sign(handle as PrivateKeyHandle, { message: utf8(payload) }, { context: utf8(CHECKPOINT_CONTEXT) });
      return ok({ payload, signature: toBase64(signature), key_id: key.key_id });
    });
  }

  /** Runs inside `serialised`: the current version, or version 1 made now. */
  async #currentOrCreate(call: CallContext): Promise<Result<AuditKeyRow>> {
    const current = this.#current();
    if (current !== undefined) return ok(current);
    const latest = this.#rows()[0];
    return this.#make(call, "audit.keys.create", (latest?.version ?? 0) + 1, this.#parts.now(), null);
  }

  async #make(call: CallContext, operation: SystemOperation, version: number, at: number, retiring: string | null): Promise<Result<AuditKeyRow>> {
    const made = await this.#parts.material.generate(PLATFORM_AUDIT_TENANT, { keyId: AUDIT_SIGNING_KEY, version, algorithm: AUDIT_KEY_ALGORITHM });
    if ("ok" in made) return fail("audit_unavailable", "no key-encryption key to wrap the audit signing key");
    const publicKey = made.publicKey as Uint8Array;
    const keyId = (await encodeJwk(AUDIT_KEY_ALGORITHM, publicKey)).kid;
    const row = this.#parts.storage.transactionSync((): AuditKeyRow => {
      const sql = this.#parts.storage.sql;
      if (retiring !== null) sql.exec("UPDATE audit_keys SET valid_until = ? WHERE key_id = ? AND valid_until IS NULL", at, retiring);
      sql.exec(
        "INSERT INTO audit_keys (key_id, version, public_key, wrapped_secret, kek_id, valid_from, valid_until) VALUES (?, ?, ?, ?, ?, ?, NULL)",
        keyId, version, publicKey, made.wrapped, made.kekId, at,
      );
      this.#parts.audit(call).append({
        time: this.#parts.now(), apiKeyId: call.apiKeyId, requestId: call.requestId, operation, keyId, keyVersion: version, outcome: "allowed",
        severity: operation === "audit.keys.rotate" ? "critical" : "info",
        detail: retiring === null ? null : `retired ${retiring}`,
      });
      return sql.exec<AuditKeyRow>("SELECT * FROM audit_keys WHERE key_id = ?", keyId).one();
    });
    this.#parts.material.remember(AUDIT_SIGNING_KEY, version, made.handle);
    return ok(row);
  }
}
