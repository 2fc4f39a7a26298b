/**
 * The key a `{key}` path segment names, resolved once per request before stage 6 so that the key
 * restriction is checked on the key itself. A segment is either a key id — a UUID (any case;
 * normalised to lower case) — or `alias:NAME` (`alias%3ANAME` too: path parameters arrive
 * percent-decoded), resolved through the tenant's vault to the key the alias points to now.
 * Anything that cannot name a key of this tenant answers exactly like a key that does not exist
 * (architecture §6): 404 `key_not_found`, whatever the reason — an unknown alias included.
 */
import type { Context } from "hono";
import { ALIAS_PREFIX, isAliasName } from "../../../shared/aliases.ts";
import type { AppEnv } from "../app-env.ts";
import { ApiError } from "../http/problem.ts";
import { callContext, callKms } from "../kms/client.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Pure: the key id a path segment spells, or null when it is not a key id. */
export function keyIdFromPath(segment: string): string | null {
  const id = segment.toLowerCase();
  return UUID.test(id) ? id : null;
}

export type KeyRef = { kind: "id"; id: string } | { kind: "alias"; name: string };

/** Pure: what a `{key}` segment names — a key id, an alias — or null when it names neither. */
export function parseKeyRef(segment: string): KeyRef | null {
  if (segment.startsWith(ALIAS_PREFIX)) {
    const name = segment.slice(ALIAS_PREFIX.length);
    return isAliasName(name) ? { kind: "alias", name } : null;
  }
  const id = keyIdFromPath(segment);
  return id === null ? null : { kind: "id", id };
}

/**
 * The key an alias points to now, asked of the tenant's vault. An unknown name (or one no alias can
 * have) is `missing`: `key_not_found` where a key was expected, `alias_not_found` on alias routes.
 */
export async function resolveAliasName(c: Context<AppEnv>, name: string, missing: "key_not_found" | "alias_not_found"): Promise<string> {
  if (!isAliasName(name)) throw new ApiError(missing);
  const call = callContext(c.get("auth"), c.get("requestId"));
  try {
    return (await callKms(() => c.env.KMS.resolveAlias(call, name))).keyId;
  } catch (error) {
    if (error instanceof ApiError && error.code === "alias_not_found") throw new ApiError(missing);
    throw error;
  }
}

export async function resolveKeyRef(c: Context<AppEnv>, segment: string): Promise<string> {
  const ref = parseKeyRef(segment);
  if (ref === null) throw new ApiError("key_not_found");
  return ref.kind === "id" ? ref.id : resolveAliasName(c, ref.name, "key_not_found");
}
