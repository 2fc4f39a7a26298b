/**
 * The TenantVault's audit archive as its RPC methods and alarm see it (architecture §9): one
 * `AuditArchive` per vault with its in-memory schedule, the hook every append calls, and the
 * read side (segments, one segment's object, the archive's status). tenant-vault.ts admits the call
 * and hands it here.
 */
import type { AuditEvent } from "../../../shared/audit/chain.ts";
import { ok, type Result } from "../../../shared/errors.ts";
import type { ArchiveStatus, AuditSegmentView } from "../../../shared/rpc.ts";
import type { ArchiveWork } from "./alarm.ts";
import { ArchiveSchedule, type ArchiveConfig } from "./archive-plan.ts";
import { AuditArchive, type ArchiveBucket, type ArchiveDeps, type SegmentCheckpointer } from "./audit-archive.ts";
import { archiveStatus, getSegment, listSegments } from "./audit-exports.ts";

export class VaultArchive {
  readonly #storage: ArchiveDeps["storage"];
  readonly #bucket: ArchiveBucket;
  /** Null only when an AUDIT_* var is misconfigured (the vault then refuses every call). */
  readonly #config: ArchiveConfig | null;
  readonly #now: () => number;
  readonly #kickAlarm: (at: number) => Promise<void>;
  readonly #checkpointer: SegmentCheckpointer | undefined;
  #work: ArchiveWork | undefined;

  /** Without a `checkpointer`, segments are archived but their events never leave the vault. */
  constructor(
    storage: ArchiveDeps["storage"],
    bucket: ArchiveBucket,
    config: ArchiveConfig | null,
    now: () => number,
    kickAlarm: (at: number) => Promise<void>,
    checkpointer?: SegmentCheckpointer,
  ) {
    this.#storage = storage;
    this.#bucket = bucket;
    this.#config = config;
    this.#now = now;
    this.#kickAlarm = kickAlarm;
    this.#checkpointer = checkpointer;
  }

  /** The tenant's archive and its schedule (a vault holds one tenant's log); null when misconfigured. */
  work(tenantId: string): ArchiveWork | null {
    const config = this.#config;
    if (config === null) return null;
    if (this.#work === undefined) {
      const archive = new AuditArchive({ storage: this.#storage, bucket: this.#bucket, tenant: tenantId, config, now: this.#now, checkpointer: this.#checkpointer });
      this.#work = { archive, schedule: new ArchiveSchedule(config, () => archive.backlog(true)) };
    }
    return this.#work;
  }

  /** After each append (inside its transaction): sets the alarm only when the schedule says so. */
  appended(tenantId: string, event: AuditEvent): void {
    const work = this.work(tenantId);
    const at = work?.schedule.appended(event.time) ?? null;
    // Once the transaction has returned: storage calls cannot run inside transactionSync.
    if (at !== null) void Promise.resolve().then(() => this.#kickAlarm(at)).catch(() => work?.schedule.disarm());
  }

  segments(input: { limit: number; cursor?: string }): Result<{ segments: AuditSegmentView[]; next_cursor: string | null; status: ArchiveStatus }> {
    const listed = listSegments(this.#storage.sql, input);
    return listed.ok ? ok({ ...listed.value, status: this.status() }) : listed;
  }

  segment(tenantId: string, id: string): Promise<Result<{ segment: AuditSegmentView; body: ReadableStream<Uint8Array> }>> {
    return getSegment(this.#storage.sql, this.#bucket, tenantId, id);
  }

  status(): ArchiveStatus {
    const { oldest_unarchived_at: _oldest, ...status } = archiveStatus(this.#storage.sql, this.#now());
    return status;
  }
}
