/**
 * The answer of `GET /v1/audit-exports/{id}` (architecture §9): the segment's gzip bytes streamed from
 * object storage through the gateway as they arrive, never buffered, with what a client needs to keep
 * and check them: a file name, the length and the digest the manifest recorded.
 *
 * `Repr-Digest` (RFC 9530 §3) carries the SHA-256 of the representation, the gzip object itself
 * (no content coding is applied on top), as a structured-field byte sequence: `sha-256=:<base64>:`.
 * A client compares it, and the listing's `sha256`, with the SHA-256 of what it received.
 * The length is enforced: a stream that ends early or runs long errors instead of passing as whole.
 */
import { toBase64 } from "../../../shared/base64.ts";
import type { AuditSegmentView } from "../../../shared/rpc.ts";
import { ApiError } from "./problem.ts";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Pure: the RFC 9530 `Repr-Digest` value of a hex SHA-256, or null when it is not one. */
export function reprDigest(sha256Hex: string): string | null {
  if (!SHA256_HEX.test(sha256Hex)) return null;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(sha256Hex.slice(2 * i, 2 * i + 2), 16);
  return `sha-256=:${toBase64(bytes)}:`;
}

/**
 * The download response. A segment that is not the one asked for, or whose digest or length is not
 * well-formed, is a broken dependency (503 kms_unavailable), never a file served under a wrong name.
 */
export function segmentDownload(requested: string, segment: AuditSegmentView, body: ReadableStream<Uint8Array>): Response {
  const digest = reprDigest(segment.sha256);
  if (segment.id !== requested || digest === null || !Number.isSafeInteger(segment.bytes) || segment.bytes < 0) {
    void body.cancel().catch(() => undefined);
    throw new ApiError("kms_unavailable");
  }
  // FixedLengthStream: the body is sent with its length, and a stream of any other length errors
  // instead of passing as whole. The header says the same for every reader of the Response.
  const stream = body.pipeThrough(new FixedLengthStream(segment.bytes));
  return new Response(stream, {
    status: 200,
    headers: {
      "Content-Type": "application/gzip",
      "Content-Length": String(segment.bytes),
      "Content-Disposition": `attachment; filename="${segment.id}.ndjson.gz"`,
      "Repr-Digest": digest,
    },
  });
}
