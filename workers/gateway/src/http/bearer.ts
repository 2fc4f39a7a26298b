/**
 * The one reader of `Authorization: Bearer <token>` (RFC 6750 §2.1) for tenant API keys, the
 * platform admin token and the metrics token. Pure: a header value in, the token or null out.
 * The scheme name is case-insensitive (RFC 9110 §11.1); the token is one run of non-space
 * characters, and anything after it (a second token, a comma-separated list) is refused.
 */

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The token an `Authorization` header carries as a Bearer credential, or null when it carries none. */
export function bearerToken(authorization: string | null | undefined): string | null {
  return BEARER.exec(authorization ?? "")?.[1] ?? null;
}
