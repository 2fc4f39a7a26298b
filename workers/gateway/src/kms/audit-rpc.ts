/**
 * The kms Worker's audit archive methods as the gateway calls them (architecture §9): the contract
 * written down once, typed, until the kms Worker's `KmsService` declares them itself.
 */
import type { Result } from "../../../shared/errors.ts";
import type { ArchiveStatus, AuditCheckpointView, AuditKeyView, AuditSegmentView, AuditVerdictView, CallContext } from "../../../shared/rpc.ts";

export interface AuditArchiveRpc {
  verifyAudit(call: CallContext, options: { from: "checkpoint" | "window" }): Promise<Result<AuditVerdictView>>;
  auditSegments(call: CallContext, input: { limit: number; cursor?: string }): Promise<Result<{ segments: AuditSegmentView[]; next_cursor: string | null; status: ArchiveStatus }>>;
  auditSegment(call: CallContext, id: string): Promise<Result<{ segment: AuditSegmentView; body: ReadableStream<Uint8Array> }>>;
  auditCheckpoints(call: CallContext, input: { limit: number; cursor?: string }): Promise<Result<{ checkpoints: AuditCheckpointView[]; next_cursor: string | null }>>;
  createAuditCheckpoint(call: CallContext): Promise<Result<{ checkpoint: AuditCheckpointView; created: boolean }>>;
  auditKeys(): Promise<Result<{ keys: AuditKeyView[] }>>;
  rotateAuditKey(call: CallContext): Promise<Result<AuditKeyView>>;
  archiveStatus(call: CallContext): Promise<Result<ArchiveStatus>>;
}

export function auditRpc(env: Env): AuditArchiveRpc {
  return env.KMS as unknown as AuditArchiveRpc;
}
