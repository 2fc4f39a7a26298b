/**
 * `client.keys`: key management (create, list, read, change, rotate, enable/disable, deletion),
 * per-version control (`client.keys.versions`), public keys in each format, and the cryptographic
 * operations (crypto.ts).
 */
import { b64, unb64 } from "./bytes.ts";
import { KeyCrypto } from "./crypto.ts";
import { Paged } from "./paged.ts";
import type { CallOptions, Transport } from "./transport.ts";
import type * as T from "./types.ts";

/** Options of `keys.create`. */
/** The body of `keys.import`, as bytes. */
export interface ImportMaterialRequest {
  /** The import job the material was sealed to. */
  importJobId: string;
  /** `enc ‖ ct` from `sealImportMaterial`. */
  wrappedMaterial: Uint8Array;
  /** The public key the material must yield: raw or SPKI. */
  expectedPublicKey?: Uint8Array;
}

export interface CreateKeyOptions extends CallOptions {
  /**
   * The Idempotency-Key to send (default: a fresh random one per call, resent on each retry).
   * Give your own to make a create safe to repeat across process restarts too.
   */
  idempotencyKey?: string | undefined;
}

/** A public key as `raw` or `spki` bytes, a `pem` string, or a `jwk` object. */
export type PublicKeyOf<F extends T.PublicKeyFormat> = Omit<T.PublicKeyAnswer, "public_key" | "format"> & {
  format: F;
  public_key: F extends "raw" | "spki" ? Uint8Array : F extends "pem" ? string : T.Jwk;
};

/** `client.keys.versions`: one version of a key at a time. */
export class KeyVersions {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Disables one version: it no longer decrypts, signs or verifies until enabled. */
  disable(key: string, version: number, options: CallOptions = {}): Promise<T.Key> {
    return this.#t.json<T.Key>("disableKeyVersion", { params: { key, version } }, options);
  }

  /** Enables a disabled version again. */
  enable(key: string, version: number, options: CallOptions = {}): Promise<T.Key> {
    return this.#t.json<T.Key>("enableKeyVersion", { params: { key, version } }, options);
  }

  /** Schedules one version's destruction after `days` (default: the key's deletion window). */
  scheduleDestruction(key: string, version: number, options: CallOptions & { days?: number } = {}): Promise<T.Key> {
    return this.#t.json<T.Key>("scheduleKeyVersionDestruction", { params: { key, version }, body: { days: options.days } }, options);
  }

  /** Cancels a version's scheduled destruction. */
  cancelDestruction(key: string, version: number, options: CallOptions = {}): Promise<T.Key> {
    return this.#t.json<T.Key>("cancelKeyVersionDestruction", { params: { key, version } }, options);
  }
}

/** `client.keys`: keys by id or `alias:NAME`. */
export class Keys extends KeyCrypto {
  /** Per-version control. */
  readonly versions: KeyVersions;

  /** @internal */
  constructor(transport: Transport) {
    super(transport);
    this.versions = new KeyVersions(transport);
  }

  /**
   * Creates a key. Always sent with an Idempotency-Key, so a retry after a network failure answers
   * the key first created instead of making a second one.
   */
  create(request: T.CreateKeyRequest, options: CreateKeyOptions = {}): Promise<T.Key> {
    const idempotencyKey = options.idempotencyKey ?? crypto.randomUUID();
    return this.t.json<T.Key>("createKey", { body: request, idempotencyKey }, options);
  }

  /** Every key matching the filters, page after page: `for await (const key of client.keys.list())`. */
  list(query: Omit<T.ListKeysQuery, "cursor"> = {}, options: CallOptions = {}): Paged<T.Key, T.KeyPage> {
    return new Paged((cursor, o) => this.listPage({ ...query, cursor }, o), (page) => page.keys, options);
  }

  /** One page of keys (`cursor` from the previous page's `next_cursor`). */
  listPage(query: T.ListKeysQuery = {}, options: CallOptions = {}): Promise<T.KeyPage> {
    return this.t.json<T.KeyPage>("listKeys", { query }, options);
  }

  /** One key with its versions. */
  get(key: string, options: CallOptions = {}): Promise<T.Key> {
    return this.t.json<T.Key>("getKey", { params: { key } }, options);
  }

  /** Changes name, description, labels, minimum decryption version or the rotation schedule. */
  update(key: string, changes: T.UpdateKeyRequest, options: CallOptions = {}): Promise<T.Key> {
    return this.t.json<T.Key>("updateKey", { params: { key }, body: changes }, options);
  }

  /**
   * Imports key material into a key created with `origin: "imported"`: `wrappedMaterial` is
   * `sealImportMaterial(job, { algorithm, material })` for an import job of this tenant (used
   * once). With `expectedPublicKey` (raw or SPKI), material yielding another public key imports
   * nothing. Not repeated after a network failure: the job is single use.
   */
  import(key: string, material: ImportMaterialRequest, options: CallOptions = {}): Promise<T.Key> {
    const body = {
      import_job_id: material.importJobId,
      wrapped_material: b64(material.wrappedMaterial),
      expected_public_key: material.expectedPublicKey === undefined ? undefined : b64(material.expectedPublicKey),
    };
    return this.t.json<T.Key>("importKey", { params: { key }, body }, options);
  }

  /** Adds a version and makes it primary; older versions still decrypt and verify. */
  rotate(key: string, options: CallOptions = {}): Promise<T.Key> {
    return this.t.json<T.Key>("rotateKey", { params: { key } }, options);
  }

  /** Disables the key: every operation with it fails until it is enabled. */
  disable(key: string, options: CallOptions = {}): Promise<T.Key> {
    return this.t.json<T.Key>("disableKey", { params: { key } }, options);
  }

  /** Enables a disabled key. */
  enable(key: string, options: CallOptions = {}): Promise<T.Key> {
    return this.t.json<T.Key>("enableKey", { params: { key } }, options);
  }

  /** Schedules the key's destruction after `days` (default: its deletion window). */
  scheduleDeletion(key: string, options: CallOptions & { days?: number } = {}): Promise<T.Key> {
    return this.t.json<T.Key>("scheduleKeyDeletion", { params: { key }, body: { days: options.days } }, options);
  }

  /** Cancels a scheduled deletion; the key comes back disabled. */
  cancelDeletion(key: string, options: CallOptions = {}): Promise<T.Key> {
    return this.t.json<T.Key>("cancelKeyDeletion", { params: { key } }, options);
  }

  /**
   * The public key of an asymmetric key's version (default: primary) as `spki` (default) or `raw`
   * bytes, a `pem` string, or a `jwk` object.
   */
  async publicKey<F extends T.PublicKeyFormat = "spki">(
    key: string,
    options: CallOptions & { format?: F; version?: number } = {},
  ): Promise<PublicKeyOf<F>> {
    const query = { format: options.format ?? "spki", version: options.version };
    const answer = await this.t.json<T.PublicKeyAnswer>("getPublicKey", { params: { key }, query }, options);
    const binary = answer.format === "raw" || answer.format === "spki";
    return { ...answer, public_key: binary ? unb64(answer.public_key, "public_key") : answer.public_key } as PublicKeyOf<F>;
  }
}
