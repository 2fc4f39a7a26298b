/**
 * The credentials a request carries, read in one place: the Bearer token of `Authorization`
 * (RFC 6750 §2.1) for tenant API keys, the platform admin token and the metrics token, and the
 * tenant API key of stage 2 (architecture §3). Pure: headers in, a token or a failure out.
 */
import { fail, ok, type Result } from "../../../shared/errors.ts";

// The scheme name is case-insensitive (RFC 9110 §11.1); the token is one run of non-space
// characters, and anything after it (a second token, a comma-separated list) is refused.
const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The token an `Authorization` header carries as a Bearer credential, or null when it carries none. */
export function bearerToken(authorization: string | null | undefined): string | null {
  return BEARER.exec(authorization ?? "")?.[1] ?? null;
}

/**
 * The tenant API key: `x-api-key` is the primary header; `Authorization: Bearer` is also accepted.
 * Two different keys in one request is ambiguous and refused.
 */
export function extractApiKey(headers: Headers): Result<string> {
  const header = headers.get("x-api-key")?.trim() || null;
  const bearer = bearerToken(headers.get("authorization"));
  if (header && bearer && header !== bearer) return fail("invalid_api_key", "x-api-key and Authorization carry different keys");
  const token = header ?? bearer;
  return token ? ok(token) : fail("missing_api_key", "Send the API key in the x-api-key header");
}
