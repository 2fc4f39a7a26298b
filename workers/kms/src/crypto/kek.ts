/**
 * The key-encryption-key ring (architecture §8), parsed once from the kms Worker's secrets:
 *
 * - `KMS_KEK`: base64 (or base64url) of exactly 32 bytes. It is the KEK with id "default"
 *   (`DEFAULT_KEK_ID`), and the active one unless `KMS_KEK_ACTIVE` names another.
 * - `KMS_KEKS`: JSON object `{"<kek id>": "<base64 of 32 bytes>", ...}`, for rotation. Ids are
 *   1-64 characters of [A-Za-z0-9._-]; they are bound into every wrapped secret's AAD, so a KEK id
 *   must never be reused for different key bytes.
 * - `KMS_KEK_ACTIVE`: the id new secrets are wrapped under. Required with `KMS_KEKS`.
 *
 * Both may be set (e.g. `KMS_KEK` kept during a migration): the ring is their union, and an id
 * present in both with different bytes is an error. Surrounding whitespace is trimmed (secrets
 * pasted with a trailing newline). Anything malformed makes the ring unusable: the Worker answers
 * 503 `misconfigured` and /ready reports the reason.
 *
 * Trust boundary: reads Worker secrets. Reasons are fixed strings naming the variable and the KEK
 * id, never any secret bytes (JSON.parse messages can quote their input, so they are not passed on).
 */
import { constantTimeEqual, fromBase64 } from "./bytes.ts";
import { fail, ok, type Result } from "../../../shared/errors.ts";

/** The id of the KEK given as `KMS_KEK`. */
export const DEFAULT_KEK_ID = "default";
export const KEK_LENGTH = 32;
const KEK_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_KEKS = 64;

export interface Keyring {
  /** The id new secrets are wrapped under. */
  readonly activeId: string;
  /** Every KEK that can unwrap, by id; includes the active one. */
  readonly keys: ReadonlyMap<string, Uint8Array>;
}

/** The Worker secrets this reads; extra fields of `env` are ignored. */
export interface KekEnv {
  readonly KMS_KEK?: unknown;
  readonly KMS_KEKS?: unknown;
  readonly KMS_KEK_ACTIVE?: unknown;
}

/** A keyring that cannot be built: the detail names the secret, never its value. */
const misconfigured = (detail: string) => fail("misconfigured", detail);

function present(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

function decodeKek(text: string, where: string): Result<Uint8Array> {
  const bytes = fromBase64(text.trim());
  if (bytes === undefined) return misconfigured(`${where} is not valid base64`);
  if (bytes.length !== KEK_LENGTH) return misconfigured(`${where} must decode to exactly ${KEK_LENGTH} bytes`);
  if (bytes.every((b) => b === 0)) return misconfigured(`${where} is all zero bytes`);
  return ok(bytes);
}

function parseKeyringJson(text: string): Result<Map<string, Uint8Array>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return misconfigured("KMS_KEKS is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return misconfigured('KMS_KEKS must be a JSON object {"<kek id>": "<base64>"}');
  const entries = Object.entries(parsed);
  if (entries.length === 0) return misconfigured("KMS_KEKS has no keys");
  if (entries.length > MAX_KEKS) return misconfigured(`KMS_KEKS has more than ${MAX_KEKS} keys`);
  const keys = new Map<string, Uint8Array>();
  for (const [id, value] of entries) {
    // The id is configuration, not secret; still, only echo it once it is known to be well-formed.
    if (!KEK_ID_PATTERN.test(id)) return misconfigured("KMS_KEKS has a key id that is not 1-64 characters of [A-Za-z0-9._-]");
    if (typeof value !== "string") return misconfigured(`KMS_KEKS["${id}"] must be a base64 string`);
    const kek = decodeKek(value, `KMS_KEKS["${id}"]`);
    if (!kek.ok) return kek;
    keys.set(id, kek.value);
  }
  return ok(keys);
}

/** Builds the keyring from the Worker's secrets, or says (without secrets) why it cannot. */
export function parseKeyring(env: KekEnv): Result<Keyring> {
  const keys = new Map<string, Uint8Array>();

  if (env.KMS_KEKS !== undefined) {
    if (!present(env.KMS_KEKS)) return misconfigured("KMS_KEKS is empty");
    const ring = parseKeyringJson(env.KMS_KEKS);
    if (!ring.ok) return ring;
    for (const [id, kek] of ring.value) keys.set(id, kek);
  }

  if (env.KMS_KEK !== undefined) {
    if (!present(env.KMS_KEK)) return misconfigured("KMS_KEK is empty");
    const kek = decodeKek(env.KMS_KEK, "KMS_KEK");
    if (!kek.ok) return kek;
    const other = keys.get(DEFAULT_KEK_ID);
    if (other !== undefined && !constantTimeEqual(other, kek.value)) return misconfigured(`KMS_KEK and KMS_KEKS["${DEFAULT_KEK_ID}"] differ`);
    keys.set(DEFAULT_KEK_ID, kek.value);
  }

  if (keys.size === 0) return misconfigured("no KEK configured: set KMS_KEK, or KMS_KEKS and KMS_KEK_ACTIVE");

  let activeId = DEFAULT_KEK_ID;
  if (env.KMS_KEK_ACTIVE !== undefined) {
    if (!present(env.KMS_KEK_ACTIVE)) return misconfigured("KMS_KEK_ACTIVE is empty");
    activeId = env.KMS_KEK_ACTIVE.trim();
    if (!KEK_ID_PATTERN.test(activeId)) return misconfigured("KMS_KEK_ACTIVE is not 1-64 characters of [A-Za-z0-9._-]");
  } else if (env.KMS_KEKS !== undefined) {
    return misconfigured("KMS_KEK_ACTIVE is required with KMS_KEKS");
  }
  if (!keys.has(activeId)) return misconfigured(`KMS_KEK_ACTIVE "${activeId}" is not a configured KEK id`);

  return ok({ activeId, keys });
}

