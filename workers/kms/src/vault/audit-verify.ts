/**
 * Verifying a log in its vault (architecture §9), at a cost bounded by what the vault holds:
 *
 * - `checkpoint` (the default): the latest signed checkpoint's signature is checked against the
 *   platform's published audit keys (`checkCheckpoint`), the event it names (if still held) must
 *   have its hash, and only the events after it are walked to the stored head. With no checkpoint
 *   yet the whole log is walked from the genesis (basis `genesis`): nothing leaves the vault before
 *   its segment has a checkpoint, so the whole log is still here then.
 * - `window`: every event the vault still holds, anchored to the last hash of the archived segment
 *   that ends just before the oldest (or to the genesis hash when the vault holds event 1).
 *
 * What lies before the start is the archive's: `note` says so, and how to check it offline. The
 * logic here is pure; `LogSource` is the little the vault lends it (SQL reads, the keys' fetch).
 */
import { fail, ok, type Result } from "../../../shared/errors.ts";
import { GENESIS_HASH, hashEvent, verifyChainFrom, type AuditEvent, type ChainHead, type ChainVerdict } from "../../../shared/audit/chain.ts";
import { checkCheckpoint, type CheckpointKey, type MlDsaVerify, type SignedCheckpoint } from "../../../shared/audit/archive-format.ts";
import type { AuditKeyView, AuditVerdictView } from "../../../shared/rpc.ts";

export type VerifyFrom = "checkpoint" | "window";

/** The checkpoint verification starts from: its row's seq and what was signed. */
export interface StoredCheckpoint extends SignedCheckpoint {
  seq: number;
  created_at: number;
}

/** What verification reads from the vault. */
export interface LogSource {
  tenant: string;
  /** The stored head, or undefined for an empty log. */
  head: ChainHead | undefined;
  latestCheckpoint(): StoredCheckpoint | undefined;
  /** The event at `seq`, if the vault still holds it. */
  eventAt(seq: number): AuditEvent | undefined;
  /** Events after `seq`, oldest first. */
  eventsAfter(seq: number): Iterable<AuditEvent>;
  /** The oldest event's seq still held, or null when none is. */
  oldestHeld(): number | null;
  /** The last hash of the archived segment ending at `seq`, if there is one. */
  segmentEndingAt(seq: number): string | undefined;
}

const OFFLINE = "check them offline with `npm run audit-archive -- verify --from-archive DIR`";

function archivedNote(oldest: number | null): string {
  return oldest !== null && oldest > 1 ? `events 1–${oldest - 1} are in the archive: ${OFFLINE}` : "";
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("; ");
}

function verdict(chain: ChainVerdict, rest: Omit<AuditVerdictView, "valid" | "checked" | "first_broken">): AuditVerdictView {
  return chain.valid ? { valid: true, checked: chain.checked, ...rest } : { valid: false, checked: chain.checked, first_broken: chain.first_broken, ...rest };
}

/** The platform's audit keys, fetched once and again only when a checkpoint names one not yet seen (a rotation). */
export class AuditKeyBook {
  readonly #fetch: () => Promise<Result<AuditKeyView[]>>;
  #keys: readonly CheckpointKey[] | undefined;

  constructor(fetch: () => Promise<Result<AuditKeyView[]>>) {
    this.#fetch = fetch;
  }

  async keysFor(keyId: string): Promise<Result<readonly CheckpointKey[]>> {
    if (this.#keys?.some((k) => k.key_id === keyId) === true) return ok(this.#keys);
    const fetched = await this.#fetch().catch(() => fail("audit_unavailable", "the platform audit keys did not answer"));
    if (!fetched.ok) return fail("audit_unavailable", "the platform audit keys are unavailable");
    this.#keys = fetched.value;
    return ok(this.#keys);
  }
}

/** Verifies a log per `from`; fails only when the platform's keys cannot be had (`audit_unavailable`). */
export async function verifyLog(source: LogSource, from: VerifyFrom, keys: AuditKeyBook, verify: MlDsaVerify): Promise<Result<AuditVerdictView>> {
  const head = source.head ?? { seq: 0, hash: GENESIS_HASH };
  if (from === "window") return ok(verifyWindow(source, head));
  const checkpoint = source.latestCheckpoint();
  if (checkpoint === undefined) {
    const chain = verifyChainFrom({ seq: 0, hash: GENESIS_HASH }, source.eventsAfter(0), head);
    return ok(verdict(chain, { basis: "genesis", from_seq: 1, to_seq: head.seq, checkpoint: null, note: "no checkpoint yet: the whole log was walked from its first event" }));
  }
  const known = await keys.keysFor(checkpoint.key_id);
  if (!known.ok) return known;
  const check = await checkCheckpoint(checkpoint, known.value, verify, source.tenant);
  const seq = checkpoint.seq;
  const summary = { seq, key_id: checkpoint.key_id, time: check.ok ? check.payload.time : new Date(checkpoint.created_at).toISOString() };
  const base = { basis: "checkpoint" as const, from_seq: seq + 1, to_seq: head.seq, checkpoint: summary };
  const broken = (note: string) => ({ valid: false, checked: 0, first_broken: seq, ...base, note });
  if (!check.ok) return ok(broken(`checkpoint ${seq} does not hold: ${check.reason}`));
  if (check.payload.seq !== seq) return ok(broken(`checkpoint ${seq} signs seq ${check.payload.seq}`));
  const event = source.eventAt(seq);
  // Its fields are hashed again: a stored `hash` column that still matches proves nothing on its own.
  if (event !== undefined && (event.hash !== check.payload.hash || hashEvent(event) !== event.hash)) {
    return ok(broken(`event ${seq} differs from what checkpoint ${seq} signed`));
  }
  const chain = verifyChainFrom({ seq, hash: check.payload.hash }, source.eventsAfter(seq), head);
  const oldest = source.oldestHeld();
  const held = oldest !== null && oldest <= seq ? `events ${oldest}–${seq} are still in the vault: \`from=window\` walks them` : "";
  const note = join(seq > 0 ? `events 1–${seq} are covered by checkpoint ${seq}'s signature, not walked here` : "", held, archivedNote(oldest));
  return ok(verdict(chain, { ...base, note }));
}

/** Every held event, from the archived segment's last hash (or the genesis) before the oldest. */
function verifyWindow(source: LogSource, head: ChainHead): AuditVerdictView {
  const oldest = source.oldestHeld();
  const first = oldest ?? head.seq + 1;
  const base = { basis: "hot_window" as const, from_seq: first, to_seq: head.seq, checkpoint: null };
  const anchor = first <= 1 ? GENESIS_HASH : source.segmentEndingAt(first - 1);
  if (anchor === undefined) {
    return { valid: false, checked: 0, first_broken: first, ...base, note: `no archived segment ends at event ${first - 1}, just before the oldest held` };
  }
  const chain = verifyChainFrom({ seq: first - 1, hash: anchor }, source.eventsAfter(first - 1), head);
  const note = join("not signature-checked: the window is anchored to the archived segment's recorded last hash", archivedNote(oldest));
  return verdict(chain, { ...base, note: first <= 1 ? "the whole log is still in the vault and was walked from its first event" : note });
}

/** The vault's side of `LogSource`: its SQL tables. */
export function vaultLogSource(sql: SqlStorage, tenant: string, head: ChainHead | undefined, latest: () => StoredCheckpoint | undefined): LogSource {
  type Stored = Omit<AuditEvent, "tenant_id">;
  const withTenant = (row: Stored): AuditEvent => ({ ...row, tenant_id: tenant });
  return {
    tenant,
    head,
    latestCheckpoint: latest,
    eventAt: (seq) => {
      const row = sql.exec<Stored>("SELECT * FROM audit_events WHERE seq = ?", seq).toArray()[0];
      return row === undefined ? undefined : withTenant(row);
    },
    *eventsAfter(seq) {
      for (const row of sql.exec<Stored>("SELECT * FROM audit_events WHERE seq > ? ORDER BY seq", seq)) yield withTenant(row);
    },
    oldestHeld: () => sql.exec<{ seq: number | null }>("SELECT min(seq) AS seq FROM audit_events").one().seq,
    segmentEndingAt: (seq) => sql.exec<{ last_hash: string }>("SELECT last_hash FROM audit_segments WHERE last_seq = ? AND state = 'archived'", seq).toArray()[0]?.last_hash,
  };
}
