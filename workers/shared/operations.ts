/**
 * The operation catalog: every authenticated API operation, the scope it needs (DESIGN §2) and its
 * rate-limit cost. The gateway names the operation of each route; the policy Worker derives the
 * required scope from the operation itself, so a caller can never choose the scope it is checked
 * against.
 */
import type { Scope } from "./scopes.ts";

export const OPERATIONS = {
  "tenant.read": { scope: "keys:read", cost: 1 },
  "api-keys.create": { scope: "api-keys:manage", cost: 1 },
  "api-keys.list": { scope: "api-keys:manage", cost: 1 },
  "api-keys.revoke": { scope: "api-keys:manage", cost: 1 },
} as const satisfies Record<string, { scope: Scope; cost: number }>;

export type Operation = keyof typeof OPERATIONS;

export function isOperation(value: unknown): value is Operation {
  return typeof value === "string" && Object.hasOwn(OPERATIONS, value);
}
