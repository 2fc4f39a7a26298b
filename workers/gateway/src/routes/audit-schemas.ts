/**
 * Schemas of the audit archive's routes (architecture §9): their inputs, validated at the edge, and
 * the views the kms Worker answers (workers/shared/rpc.ts), documented in /openapi.json. A segment
 * id is its sequence range (workers/shared/audit/archive-format.ts), so the path parameter and the
 * listing's cursor are checked against that one pattern before any call.
 */
import * as z from "zod";
import { parseSegmentId, SEGMENT_ID_PATTERN } from "../../../shared/audit/archive-format.ts";
import { LIMITS } from "./inputs.ts";

const timestamp = (what: string) => z.iso.datetime().describe(`${what} (RFC 3339, UTC)`);
const hex = (what: string) => z.string().describe(`${what} (hex)`);

const SEGMENT_ID_MESSAGE = "not a segment id: {first seq}-{last seq}, each 20 digits, first ≤ last";
const SegmentId = z
  .string()
  .regex(SEGMENT_ID_PATTERN, SEGMENT_ID_MESSAGE)
  .refine((id) => parseSegmentId(id) !== null, SEGMENT_ID_MESSAGE);

const limit = (what: string) => z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50).describe(`${what} per page, 1–${LIMITS.pageSize}`);

export const SegmentIdParam = z.object({
  id: SegmentId.describe("The segment's id, its sequence range: `{first}-{last}`, each zero-padded to 20 digits"),
});

export const SegmentQuery = z.strictObject({
  limit: limit("Segments"),
  cursor: SegmentId.optional().describe("The next_cursor of the previous page (a segment id)"),
});

export const CheckpointQuery = z.strictObject({
  limit: limit("Checkpoints"),
  cursor: z.string().regex(/^\d{1,15}$/, "not a cursor this API issued").optional().describe("The next_cursor of the previous page"),
});

export const VerifyQuery = z.strictObject({
  from: z
    .enum(["checkpoint", "window"])
    .default("checkpoint")
    .describe("checkpoint (default): from the latest signed checkpoint to the head, a bounded cost; window: every event the service still holds"),
});

export const ChainVerdict = z
  .object({
    valid: z.boolean().describe("Whether every hash checked recomputes (and the starting checkpoint's signature verifies)"),
    checked: z.number().int().describe("Events checked"),
    first_broken: z.number().int().optional().describe("The seq of the first event whose hash does not recompute"),
    basis: z
      .enum(["checkpoint", "hot_window", "genesis"])
      .describe("Where the check started: checkpoint (the latest signed one), hot_window (the oldest event still held), genesis (no checkpoint yet: the whole log)"),
    from_seq: z.number().int().describe("The first seq checked"),
    to_seq: z.number().int().describe("The last seq checked (the head)"),
    checkpoint: z
      .object({ seq: z.number().int().describe("Its seq"), key_id: z.string().describe("The audit key that signed it"), time: timestamp("When it was signed") })
      .nullable()
      .describe("The checkpoint the check started from, its signature verified too; null when none"),
    note: z.string().describe("What this check does not cover, in words (the archive is checked offline: scripts/audit-archive.ts verify)"),
  })
  .meta({ id: "ChainVerdict", description: "The result of checking an audit hash chain, and from where" });

export const ArchiveStatusSchema = z
  .object({
    head_seq: z.number().int().describe("The log's last seq"),
    archived_through: z.number().int().describe("Every event up to this seq is archived (0: none yet)"),
    unarchived_events: z.number().int().describe("Events not yet archived"),
    lag_seconds: z.number().describe("Age of the oldest event not yet archived, in seconds (0 when all are)"),
    hot_from_seq: z.number().int().nullable().describe("The oldest event the service still holds (GET /v1/audit-events reaches back to it), or null"),
    hot_events: z.number().int().describe("Events the service still holds"),
    last_error: z.string().nullable().describe("The last archive write's error while it keeps failing; null otherwise"),
    next_attempt_at: z.iso.datetime().nullable().describe("When the next archive attempt is due (RFC 3339, UTC), or null"),
  })
  .meta({ id: "AuditArchiveStatus", description: "How far the log's archive is behind" });

export const AuditSegmentSchema = z
  .object({
    id: z.string().describe("The segment's id: `{first_seq}-{last_seq}`, each zero-padded to 20 digits"),
    first_seq: z.number().int().describe("Its first event's seq"),
    last_seq: z.number().int().describe("Its last event's seq"),
    count: z.number().int().describe("Events in it"),
    first_time: timestamp("Its first event's time"),
    last_time: timestamp("Its last event's time"),
    prev_hash: hex("The hash of the event before first_seq (64 zeros for the log's first segment)"),
    last_hash: hex("The hash of event last_seq"),
    sha256: hex("SHA-256 of the gzip object GET /v1/audit-exports/{id} answers"),
    bytes: z.number().int().describe("Size of that object in bytes"),
    archived_at: timestamp("When it was archived"),
    checkpoint_seq: z.number().int().nullable().describe("The seq of the checkpoint signed for it, or null while that signature is pending"),
  })
  .meta({ id: "AuditSegment", description: "An archived segment of the audit log: gzip NDJSON, one event a line" });

export const AuditSegmentPage = z
  .object({
    segments: z.array(AuditSegmentSchema).describe("Segments, newest first"),
    next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page"),
    status: ArchiveStatusSchema.describe("How far the archive is behind"),
  })
  .meta({ id: "AuditSegmentPage", description: "A page of archived segments, and the archive's lag" });

export const AuditCheckpointSchema = z
  .object({
    seq: z.number().int().describe("The seq it commits to"),
    payload: z.string().describe("The exact JSON text that was signed: tenant, seq, chain hash, time, segment and its SHA-256, key_id"),
    signature: z.string().describe("base64 ML-DSA-65 signature (FIPS 204, pure) over payload's UTF-8 bytes, context `pqkms audit checkpoint v1`"),
    key_id: z.string().describe("The audit key that signed it (GET /v1/audit-keys)"),
  })
  .meta({ id: "AuditCheckpoint", description: "A signed checkpoint: the platform's commitment to the log's head" });

export const AuditCheckpointPage = z
  .object({
    checkpoints: z.array(AuditCheckpointSchema).describe("Checkpoints, newest first"),
    next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page"),
  })
  .meta({ id: "AuditCheckpointPage", description: "A page of signed checkpoints" });

export const AuditKeySchema = z
  .object({
    key_id: z.string().describe("RFC 7638 thumbprint of its JWK, also the JWK's kid"),
    algorithm: z.literal("ML-DSA-65").describe("The signature algorithm (FIPS 204)"),
    valid_from: timestamp("Checkpoints signed from this time on are this key's"),
    valid_until: z.iso.datetime().nullable().describe("Until this time (RFC 3339, UTC); null for the current key"),
    status: z.enum(["current", "retired"]).describe("current signs new checkpoints; retired only verifies old ones"),
    public_key: z
      .object({
        pem: z.string().describe("SubjectPublicKeyInfo, PEM (OpenSSL 3.5 reads it)"),
        jwk: z
          .object({
            kty: z.literal("AKP").describe("Key type: Algorithm Key Pair"),
            alg: z.literal("ML-DSA-65").describe("The JOSE algorithm name"),
            pub: z.string().describe("The public key, base64url (RFC 4648 §5) without padding"),
            kid: z.string().describe("RFC 7638 thumbprint: the key_id"),
          })
          .describe("JWK (AKP), public parts only"),
      })
      .describe("The public key, PEM and JWK"),
  })
  .meta({ id: "AuditKey", description: "A version of the platform's audit signing key; its private half never leaves the service" });

export const AuditKeyList = z
  .object({ keys: z.array(AuditKeySchema).describe("Every version, newest first") })
  .meta({ id: "AuditKeyList", description: "The platform's audit signing keys" });
