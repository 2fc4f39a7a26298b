/**
 * Scopes and roles (architecture §2). A scope grants one family of methods; a role is a named scope set.
 * API keys store the expanded scope list, so changing a role's meaning never widens an existing key.
 */

export const SCOPES = [
  "keys:read",
  "keys:write",
  "crypto:encrypt",
  "crypto:decrypt",
  "crypto:sign",
  "crypto:verify",
  "api-keys:manage",
  "audit:read",
] as const;
export type Scope = (typeof SCOPES)[number];

export const ROLES = {
  admin: SCOPES,
  operator: ["keys:read", "keys:write", "audit:read"],
  app: ["crypto:encrypt", "crypto:decrypt", "crypto:sign", "crypto:verify", "keys:read"],
  auditor: ["audit:read", "keys:read"],
} as const satisfies Record<string, readonly Scope[]>;
export type Role = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as Role[];

export function isScope(value: unknown): value is Scope {
  return typeof value === "string" && (SCOPES as readonly string[]).includes(value);
}

/** Scopes in canonical order, without duplicates. */
export function normalizeScopes(scopes: readonly Scope[]): Scope[] {
  return SCOPES.filter((s) => scopes.includes(s));
}

export function scopesForRole(role: Role): Scope[] {
  return [...ROLES[role]];
}
