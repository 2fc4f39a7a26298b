/**
 * `client.importJobs`: one-use wrapping keys for bringing a key's material into the service
 * (README "Key import"). Seal the material to a job with `sealImportMaterial` (offline, HPKE RFC
 * 9180), then hand it to `client.keys.import`.
 */
import { Paged } from "./paged.ts";
import type { CallOptions, Transport } from "./transport.ts";
import type * as T from "./types.ts";

/** `client.importJobs`. */
export class ImportJobs {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * Makes an import job: an ML-KEM-768 or X-Wing key pair held by the service for 24 hours and one
   * import, whose public key (every format) the answer carries.
   */
  create(request: T.CreateImportJobRequest, options: CallOptions = {}): Promise<T.ImportJob> {
    return this.#t.json<T.ImportJob>("createImportJob", { body: request }, options);
  }

  /** Every import job, newest first, page after page. */
  list(query: Omit<T.ListImportJobsQuery, "cursor"> = {}, options: CallOptions = {}): Paged<T.ImportJob, T.ImportJobPage> {
    return new Paged((cursor, o) => this.listPage({ ...query, cursor }, o), (page) => page.import_jobs, options);
  }

  /** One page of import jobs. */
  listPage(query: T.ListImportJobsQuery = {}, options: CallOptions = {}): Promise<T.ImportJobPage> {
    return this.#t.json<T.ImportJobPage>("listImportJobs", { query }, options);
  }

  /** One import job: its state (`active`, used or expired) and public key. */
  get(id: string, options: CallOptions = {}): Promise<T.ImportJob> {
    return this.#t.json<T.ImportJob>("getImportJob", { params: { id } }, options);
  }
}
