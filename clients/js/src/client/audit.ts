/**
 * `client.audit` (the tenant's log, API key) and `client.admin.audit` (the platform's, admin
 * token): the same calls on two prefixes. Events and their chain check, the archive's segments
 * (gzip NDJSON, downloaded as bytes or as a stream), the signed checkpoints and their keys
 * (architecture §9, docs/audit-archive.md).
 */
import { Paged } from "./paged.ts";
import type { OperationId } from "./operations.ts";
import type { CallOptions, Transport } from "./transport.ts";
import type * as T from "./types.ts";

interface AuditIds {
  events: OperationId;
  verify: OperationId;
  exports: OperationId;
  download: OperationId;
  checkpoints: OperationId;
  keys: OperationId;
}

/** @internal The tenant log's operations. */
export const TENANT_AUDIT: AuditIds = {
  events: "listAuditEvents",
  verify: "verifyAuditChain",
  exports: "listAuditExports",
  download: "getAuditExport",
  checkpoints: "listAuditCheckpoints",
  keys: "listAuditKeys",
};

/** @internal The platform log's operations. */
export const PLATFORM_AUDIT: AuditIds = {
  events: "listPlatformAuditEvents",
  verify: "verifyPlatformAuditChain",
  exports: "listPlatformAuditExports",
  download: "getPlatformAuditExport",
  checkpoints: "listPlatformAuditCheckpoints",
  keys: "listPlatformAuditKeys",
};

/** One archived segment's bytes as they arrive, with the digest the gateway declares. */
export interface SegmentDownload {
  /** The gzip NDJSON bytes, streamed. */
  body: ReadableStream<Uint8Array>;
  /** `Repr-Digest` (RFC 9530): `sha-256=:<base64>:`, to check the bytes against. */
  reprDigest: string | null;
  /** Content-Length, when sent. */
  length: number | null;
}

/** An audit log: the tenant's (`client.audit`) or the platform's (`client.admin.audit`). */
export class AuditLog {
  /** @internal */
  protected readonly t: Transport;
  readonly #ids: AuditIds;

  /** @internal */
  constructor(transport: Transport, ids: AuditIds) {
    this.t = transport;
    this.#ids = ids;
  }

  /** Every event matching the filters, newest first, page after page. */
  events(query: Omit<T.AuditEventsQuery, "cursor"> = {}, options: CallOptions = {}): Paged<T.AuditEvent, T.AuditPage> {
    return new Paged((cursor, o) => this.eventsPage({ ...query, cursor }, o), (page) => page.events, options);
  }

  /** One page of events. */
  eventsPage(query: T.AuditEventsQuery = {}, options: CallOptions = {}): Promise<T.AuditPage> {
    return this.t.json<T.AuditPage>(this.#ids.events, { query }, options);
  }

  /** Checks the hash chain from the newest checkpoint (default) or over the hot window. */
  verify(query: T.VerifyChainQuery = {}, options: CallOptions = {}): Promise<T.ChainVerdict> {
    return this.t.json<T.ChainVerdict>(this.#ids.verify, { query }, options);
  }

  /** Every archived segment, page after page (each page also carries the archive's status). */
  exports(options: CallOptions = {}): Paged<T.AuditSegment, T.AuditSegmentPage> {
    return new Paged((cursor, o) => this.exportsPage({ cursor }, o), (page) => page.segments, options);
  }

  /** One page of archived segments. */
  exportsPage(query: { limit?: number; cursor?: string | undefined } = {}, options: CallOptions = {}): Promise<T.AuditSegmentPage> {
    return this.t.json<T.AuditSegmentPage>(this.#ids.exports, { query }, options);
  }

  /** One segment's bytes (gzip NDJSON), streamed: for large segments or writing to a file. */
  async stream(id: string, options: CallOptions = {}): Promise<SegmentDownload> {
    const response = await this.t.send(this.#ids.download, { params: { id } }, options);
    if (response.body === null) throw new TypeError("the segment download has no body");
    const length = response.headers.get("Content-Length");
    return { body: response.body, reprDigest: response.headers.get("Repr-Digest"), length: length === null ? null : Number(length) };
  }

  /** One segment's bytes (gzip NDJSON), whole. */
  async download(id: string, options: CallOptions = {}): Promise<Uint8Array> {
    const response = await this.t.send(this.#ids.download, { params: { id } }, options);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** Every signed checkpoint, page after page. */
  checkpoints(options: CallOptions = {}): Paged<T.AuditCheckpoint, T.AuditCheckpointPage> {
    return new Paged((cursor, o) => this.checkpointsPage({ cursor }, o), (page) => page.checkpoints, options);
  }

  /** One page of checkpoints. */
  checkpointsPage(query: { limit?: number; cursor?: string | undefined } = {}, options: CallOptions = {}): Promise<T.AuditCheckpointPage> {
    return this.t.json<T.AuditCheckpointPage>(this.#ids.checkpoints, { query }, options);
  }

  /** The ML-DSA-65 public keys that verify the checkpoints (PEM and JWK). */
  async keys(options: CallOptions = {}): Promise<T.AuditKey[]> {
    return (await this.t.json<{ keys: T.AuditKey[] }>(this.#ids.keys, {}, options)).keys;
  }
}

/** `client.audit`: the tenant's log, and a checkpoint on demand. */
export class TenantAuditLog extends AuditLog {
  /** @internal */
  constructor(transport: Transport) {
    super(transport, TENANT_AUDIT);
  }

  /** Asks for a signed checkpoint over the log's head now (answers the existing one if nothing changed). */
  createCheckpoint(options: CallOptions = {}): Promise<T.AuditCheckpoint> {
    return this.t.json<T.AuditCheckpoint>("createAuditCheckpoint", {}, options);
  }
}

/** `client.admin.audit`: the platform's log, and its signing key's rotation. */
export class PlatformAuditLog extends AuditLog {
  /** @internal */
  constructor(transport: Transport) {
    super(transport, PLATFORM_AUDIT);
  }

  /** Rotates the platform's audit signing key (ML-DSA-65); the old one stays published, retired. */
  rotateKey(options: CallOptions = {}): Promise<T.AuditKey> {
    return this.t.json<T.AuditKey>("rotatePlatformAuditKey", {}, options);
  }
}
