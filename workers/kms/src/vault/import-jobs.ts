/**
 * Key import of the TenantVault (architecture §5, key import): import jobs and the import itself.
 *
 * A job is a fresh ML-KEM-768 or X-Wing key pair made here through the provider; its private key is
 * stored only wrapped, in its own AAD domain (wrap.ts), and lives until the job's one import or
 * its expiry 24 hours after creation, whichever comes first; then the secret is erased and the row
 * kept as a tombstone (`used` or `expired`), so a replayed job answers 410 `import_job_gone`.
 *
 * An import opens `wrapped_material` (RFC 9180 base mode, single shot: key-material.ts `unseal`),
 * checks it is the target algorithm's stored secret (architecture §7 layouts), derives the public
 * key and compares it with the one the caller expects, if given; then one transaction writes the
 * version row, the key's new primary (and `enabled`, from `pending_import`), the job's consumption,
 * the audit row and the outbox row. Any refusal writes nothing: the job stays usable.
 * Jobs live in the tenant's own vault, so another tenant's job id is simply not there (404).
 */
import { fail, ok, type Result } from "../../../shared/errors.ts";
import type { CallContext, ImportJobView, ImportKeyInput, ImportWrappingAlgorithm, KeyView } from "../../../shared/rpc.ts";
import { ALGORITHMS, hasPublicKey } from "../crypto/algorithms.ts";
import { constantTimeEqual } from "../crypto/bytes.ts";
import { decodeSpki, publicKeyFormatResult } from "../crypto/public-key-formats.ts";
import type { ImportJobRow } from "./rows.ts";
import { commitKeyChange, drainSoon, type VaultParts } from "./vault-parts.ts";

/** How long a job's private key lives (architecture §5): one day, as AWS's and Google's import tokens. */
export const IMPORT_JOB_TTL_MS = 24 * 3600_000;

const iso = (ms: number) => new Date(ms).toISOString();

function job(parts: VaultParts, id: string): ImportJobRow | undefined {
  return parts.storage.sql.exec<ImportJobRow>("SELECT * FROM import_jobs WHERE id = ?", id).toArray()[0];
}

/** A job row as the API shows it, its public key in every format the algorithm has (jwk: null for X-Wing). */
export async function importJobView(row: ImportJobRow): Promise<ImportJobView> {
  const raw = new Uint8Array(row.public_key);
  const as = async (format: "raw" | "spki" | "pem") => {
    const encoded = await publicKeyFormatResult(row.wrapping_algorithm, raw, format);
    if (!encoded.ok || typeof encoded.value !== "string") throw new Error(`${row.wrapping_algorithm} has no ${format} public key`);
    return encoded.value;
  };
  const jwk = await publicKeyFormatResult(row.wrapping_algorithm, raw, "jwk");
  return {
    id: row.id,
    wrapping_algorithm: row.wrapping_algorithm,
    public_key: { raw: await as("raw"), spki: await as("spki"), pem: await as("pem"), jwk: jwk.ok && typeof jwk.value !== "string" ? { ...jwk.value } : null },
    state: row.state,
    created_at: iso(row.created_at),
    expires_at: iso(row.expires_at),
    used_at: row.used_at === null ? null : iso(row.used_at),
    key_id: row.key_id,
    key_version: row.key_version,
  };
}

/** Makes a job: its key pair, its row and its audit row (in one transaction). */
export async function createImportJob(parts: VaultParts, call: CallContext, algorithm: ImportWrappingAlgorithm): Promise<Result<ImportJobView>> {
  if (algorithm !== "ML-KEM-768" && algorithm !== "X-Wing") return fail("invalid_request", "body.wrapping_algorithm: ML-KEM-768 or X-Wing");
  const id = crypto.randomUUID();
  const key = await parts.material.generateJobKey(call.tenantId, id, algorithm);
  if ("ok" in key) return key;
  const now = parts.now();
  parts.storage.transactionSync(() => {
    parts.storage.sql.exec(
      `INSERT INTO import_jobs (id, wrapping_algorithm, state, public_key, wrapped_secret, kek_id, created_at, expires_at)
       VALUES (?, ?, 'active', ?, ?, ?, ?, ?)`,
      id, algorithm, key.publicKey.slice().buffer, key.wrapped.slice().buffer, key.kekId, now, now + IMPORT_JOB_TTL_MS,
    );
    parts.audit(call).append({
      time: now, apiKeyId: call.apiKeyId, requestId: call.requestId, operation: "import-jobs.create", keyId: null, keyVersion: null,
      outcome: "allowed", detail: `import job ${id} (${algorithm})`,
    });
  });
  await parts.kickAlarm(now + IMPORT_JOB_TTL_MS);
  return ok(await importJobView(job(parts, id) as ImportJobRow));
}

export async function getImportJob(parts: VaultParts, id: string): Promise<Result<ImportJobView>> {
  const row = job(parts, id);
  return row ? ok(await importJobView(row)) : fail("import_job_not_found");
}

/** Jobs newest first; `cursor` is the last id of the previous page. */
export async function listImportJobs(parts: VaultParts, input: { limit: number; cursor?: string }): Promise<Result<{ import_jobs: ImportJobView[]; next_cursor: string | null }>> {
  const after = input.cursor === undefined ? undefined : job(parts, input.cursor);
  if (input.cursor !== undefined && after === undefined) return fail("invalid_request", "query.cursor: not a cursor this API issued");
  const rows = parts.storage.sql
    .exec<ImportJobRow>(
      after === undefined
        ? "SELECT * FROM import_jobs ORDER BY created_at DESC, id DESC LIMIT ?"
        : "SELECT * FROM import_jobs WHERE (created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC LIMIT ?",
      ...(after === undefined ? [] : [after.created_at, after.created_at, after.id]),
      input.limit + 1,
    )
    .toArray();
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return ok({ import_jobs: await Promise.all(page.map(importJobView)), next_cursor: rows.length > input.limit && last ? last.id : null });
}

/** Thrown inside the import's transaction to roll it back when the job or key changed meanwhile. */
class ImportRaced extends Error {}

/** Why a job can no longer be used at `now`, or null while it can. */
function goneReason(row: ImportJobRow, now: number): string | null {
  if (row.state === "used") return `Import job ${row.id} was already used (single use); create a new one`;
  if (row.state === "expired" || row.expires_at <= now) return `Import job ${row.id} expired at ${iso(row.expires_at)}; create a new one`;
  return null;
}

/** The expected public key as raw bytes: given raw, or as SPKI (DER) naming the key's algorithm. */
function expectedRaw(algorithm: string, publicKeyLength: number, given: Uint8Array): Uint8Array | null {
  if (given.length === publicKeyLength) return given;
  const spki = decodeSpki(given);
  return spki.ok && spki.value.algorithm === algorithm ? spki.value.publicKey : null;
}

/**
 * Imports material into `keyId`, an `origin: "imported"` key: version 1 from `pending_import`, then
 * the next version (the new primary) for each later import, like a rotation with supplied material.
 */
export async function importKey(parts: VaultParts, call: CallContext, keyId: string, input: ImportKeyInput): Promise<Result<KeyView>> {
  const { store, material } = parts;
  return parts.serialised(async () => {
    const key = store.key(keyId);
    if (!key) return fail("key_not_found");
    if (key.origin !== "imported") return fail("conflict", "Only a key created with origin \"imported\" takes imported material");
    if (key.state !== "enabled" && key.state !== "pending_import") return fail("key_disabled", `The key is ${key.state.replace("_", " ")}; only an enabled or pending-import key takes new material`);
    const row = job(parts, input.importJobId);
    if (!row) return fail("import_job_not_found");
    const gone = goneReason(row, parts.now());
    if (gone !== null || row.wrapped_secret === null) return fail("import_job_gone", gone ?? undefined);
    const spec = ALGORITHMS[key.algorithm];
    if (input.expectedPublicKey !== null && !hasPublicKey(spec)) {
      return fail("invalid_request", `body.expected_public_key: ${key.algorithm} keys have no public key`);
    }
    const version = store.versions(keyId).length === 0 ? 1 : key.primary_version + 1;
    const sealedTo = { jobId: row.id, algorithm: row.wrapping_algorithm, wrapped: row.wrapped_secret, kekId: row.kek_id };
    const made = await material.unseal(call.tenantId, sealedTo, input.wrappedMaterial, { keyId, version, algorithm: key.algorithm });
    if ("ok" in made) return made;
    try {
      if (input.expectedPublicKey !== null && hasPublicKey(spec)) {
        const expected = expectedRaw(key.algorithm, spec.publicKeyLength, input.expectedPublicKey);
        if (expected === null) return fail("invalid_request", `body.expected_public_key: not a raw ${key.algorithm} public key (${spec.publicKeyLength} bytes) nor its SPKI`);
        if (made.publicKey === null || !constantTimeEqual(expected, made.publicKey)) {
          return fail("invalid_request", "body.expected_public_key: does not match the public key derived from the imported material");
        }
      }
      const now = parts.now();
      const view = commitKeyChange(parts, call, keyId, "keys.import", () => {
        // The alarm may have expired the job, or destroyed the key, while the material was opened.
        const fresh = job(parts, row.id);
        const state = store.state(keyId);
        if (!fresh || goneReason(fresh, now) !== null || (state !== "enabled" && state !== "pending_import")) throw new ImportRaced();
        store.insertVersion({
          key_id: keyId, version, state: "enabled", public_key: made.publicKey, wrapped_secret: made.wrapped, kek_id: made.kekId, created_at: now, destroyed_at: null,
        });
        store.updateKey(keyId, { state: "enabled", primary_version: version }, now);
        parts.storage.sql.exec(
          "UPDATE import_jobs SET state = 'used', wrapped_secret = NULL, used_at = ?, destroyed_at = ?, key_id = ?, key_version = ? WHERE id = ?",
          now, now, keyId, version, row.id,
        );
      }, version, `import job ${row.id}`);
      material.remember(keyId, version, made.handle);
      await drainSoon(parts);
      return ok(view);
    } catch (error) {
      made.handle.destroy();
      if (error instanceof ImportRaced) return fail("import_job_gone", "The import job or the key changed while the material was opened; nothing was written");
      throw error;
    }
  });
}

/**
 * The alarm's part: erases the private key of every job past its expiry (a tombstone stays),
 * each with its audit row in the same transaction. Returns when the next active job expires.
 */
export function expireImportJobs(parts: VaultParts, system: CallContext, now: number): number | null {
  const { sql } = parts.storage;
  const due = sql.exec<{ id: string }>("SELECT id FROM import_jobs WHERE state = 'active' AND expires_at <= ? ORDER BY expires_at", now).toArray();
  for (const { id } of due) {
    parts.storage.transactionSync(() => {
      sql.exec("UPDATE import_jobs SET state = 'expired', wrapped_secret = NULL, destroyed_at = ? WHERE id = ? AND state = 'active'", now, id);
      parts.audit(system).append({
        time: now, apiKeyId: system.apiKeyId, requestId: system.requestId, operation: "import-jobs.destroy", keyId: null, keyVersion: null,
        outcome: "allowed", detail: `import job ${id} expired; its private key was destroyed`,
      });
    });
  }
  return sql.exec<{ d: number | null }>("SELECT min(expires_at) AS d FROM import_jobs WHERE state = 'active'").one().d;
}
