/**
 * The gateway's secrets, validated once per isolate (and again if they change). Missing or
 * malformed secrets never fall back to a default: every API request answers 503 `misconfigured`
 * and `/ready` lists the reasons (which name the secret, never its value).
 */
import { fromBase64 } from "../../shared/base64.ts";
import { ok, type Result } from "../../shared/errors.ts";
import { importPepper } from "./auth/token.ts";

export interface GatewayConfig {
  adminToken: string;
  pepper: CryptoKey;
  pepperVersion: number;
  apiKeyCacheTtlMs: number;
}

const MIN_ADMIN_TOKEN_LENGTH = 32;
const MAX_API_KEY_CACHE_TTL_SECONDS = 10; // architecture §2: revocation visible within 10 s

let cached: { admin: unknown; pepper: unknown; ttl: unknown; result: Promise<Result<GatewayConfig>> } | undefined;

export function loadConfig(env: Env): Promise<Result<GatewayConfig>> {
  const source = env as unknown as Record<string, unknown>;
  const admin = source.ADMIN_TOKEN;
  const pepper = source.API_KEY_PEPPER;
  const ttl = source.API_KEY_CACHE_TTL_SECONDS;
  if (cached === undefined || cached.admin !== admin || cached.pepper !== pepper || cached.ttl !== ttl) {
    cached = { admin, pepper, ttl, result: parseConfig(admin, pepper, ttl) };
  }
  return cached.result;
}

async function parseConfig(admin: unknown, pepper: unknown, ttl: unknown): Promise<Result<GatewayConfig>> {
  const reasons: string[] = [];
  if (typeof admin !== "string" || admin.length === 0) reasons.push("ADMIN_TOKEN is not set");
  else if (admin.length < MIN_ADMIN_TOKEN_LENGTH) reasons.push(`ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters`);

  const pepperBytes = typeof pepper === "string" ? fromBase64(pepper) : undefined;
  if (typeof pepper !== "string" || pepper.length === 0) reasons.push("API_KEY_PEPPER is not set");
  else if (pepperBytes === undefined || pepperBytes.length < 32) reasons.push("API_KEY_PEPPER is not base64 of at least 32 bytes");

  const ttlSeconds = ttl === undefined ? 5 : Number(ttl);
  if (!Number.isFinite(ttlSeconds) || ttlSeconds < 0 || ttlSeconds > MAX_API_KEY_CACHE_TTL_SECONDS) {
    reasons.push(`API_KEY_CACHE_TTL_SECONDS must be between 0 and ${MAX_API_KEY_CACHE_TTL_SECONDS}`);
  }
  if (reasons.length > 0 || pepperBytes === undefined) return { ok: false, error: { code: "misconfigured", reasons } };
  return ok({
    adminToken: admin as string,
    pepper: await importPepper(pepperBytes),
    pepperVersion: 1,
    apiKeyCacheTtlMs: ttlSeconds * 1000,
  });
}
