/**
 * The key a `{key}` path segment names, resolved once per request before stage 6 so that the key
 * restriction is checked on the key itself. A key id is a UUID (any case; normalised to lower
 * case). Anything that cannot name a key of this tenant answers exactly like a key that does not
 * exist (DESIGN §6): 404 `key_not_found`, whatever the reason.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { ApiError } from "../http/problem.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Pure: the key id a path segment spells, or null when it is not a key id. */
export function keyIdFromPath(segment: string): string | null {
  const id = segment.toLowerCase();
  return UUID.test(id) ? id : null;
}

export async function resolveKeyRef(_c: Context<AppEnv>, segment: string): Promise<string> {
  const id = keyIdFromPath(segment);
  if (id === null) throw new ApiError("key_not_found");
  return id;
}

/**
 * The key id the route registry resolved for this request's `{key}` segment. Read it before
 * `callKms`, never inside its closure: everything thrown in there becomes 503 kms_unavailable.
 */
export function pathKeyId(c: Context<AppEnv>): string {
  const id = c.get("keyId");
  if (id === undefined) throw new Error("pathKeyId: the route declares no key parameter");
  return id;
}
