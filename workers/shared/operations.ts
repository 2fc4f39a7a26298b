/**
 * The operation catalog: every authenticated API operation, the scope it needs (architecture §2) and its
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
  "keys.create": { scope: "keys:write", cost: 2 },
  "keys.list": { scope: "keys:read", cost: 1 },
  "keys.get": { scope: "keys:read", cost: 1 },
  "keys.update": { scope: "keys:write", cost: 1 },
  "keys.public-key": { scope: "keys:read", cost: 1 },
  "keys.rotate": { scope: "keys:write", cost: 2 },
  "keys.disable": { scope: "keys:write", cost: 1 },
  "keys.enable": { scope: "keys:write", cost: 1 },
  "keys.schedule-deletion": { scope: "keys:write", cost: 1 },
  "keys.cancel-deletion": { scope: "keys:write", cost: 1 },
  "keys.versions.disable": { scope: "keys:write", cost: 1 },
  "keys.versions.enable": { scope: "keys:write", cost: 1 },
  "keys.versions.schedule-destruction": { scope: "keys:write", cost: 1 },
  "keys.versions.cancel-destruction": { scope: "keys:write", cost: 1 },
  // Key import (architecture §5): an import job's private key is made in the vault, and material
  // sealed to it becomes a key version. Making keys is key management: keys:write.
  "import-jobs.create": { scope: "keys:write", cost: 2 },
  "import-jobs.list": { scope: "keys:read", cost: 1 },
  "import-jobs.get": { scope: "keys:read", cost: 1 },
  "keys.import": { scope: "keys:write", cost: 2 },
  "aliases.create": { scope: "keys:write", cost: 1 },
  "aliases.list": { scope: "keys:read", cost: 1 },
  "aliases.get": { scope: "keys:read", cost: 1 },
  "aliases.update": { scope: "keys:write", cost: 1 },
  "aliases.delete": { scope: "keys:write", cost: 1 },
  "crypto.encrypt": { scope: "crypto:encrypt", cost: 1 },
  "crypto.decrypt": { scope: "crypto:decrypt", cost: 1 },
  // Rewrap opens a ciphertext (though the plaintext stays inside): it needs the decrypt scope.
  "crypto.rewrap": { scope: "crypto:decrypt", cost: 2 },
  "crypto.datakey": { scope: "crypto:encrypt", cost: 1 },
  "crypto.encapsulate": { scope: "crypto:encrypt", cost: 1 },
  "crypto.decapsulate": { scope: "crypto:decrypt", cost: 1 },
  "crypto.sign": { scope: "crypto:sign", cost: 1 },
  "crypto.verify": { scope: "crypto:verify", cost: 1 },
  // HMAC keys: making a tag is signing with a shared key, checking one is verifying.
  "crypto.mac": { scope: "crypto:sign", cost: 1 },
  "crypto.verify-mac": { scope: "crypto:verify", cost: 1 },
  // A batch's name only until its body is read: from then on the request is the operation the body
  // names, with that operation's scope, cost per item and audit name (gateway pipeline/policy.ts).
  // Nothing is decided on this entry's scope; it is the scope of the commonest batch, encrypt.
  "crypto.batch": { scope: "crypto:encrypt", cost: 1 },
  "audit.list": { scope: "audit:read", cost: 1 },
  "usage.read": { scope: "keys:read", cost: 1 },
  "policy-rules.list": { scope: "api-keys:manage", cost: 1 },
  "policy-rules.create": { scope: "api-keys:manage", cost: 1 },
  "policy-rules.delete": { scope: "api-keys:manage", cost: 1 },
  "audit.verify": { scope: "audit:read", cost: 5 },
  "audit.exports.list": { scope: "audit:read", cost: 1 },
  // Streams up to a segment (a few hundred KB) out of object storage.
  "audit.exports.get": { scope: "audit:read", cost: 2 },
  "audit.checkpoints.list": { scope: "audit:read", cost: 1 },
  // Asks the platform's audit key for a signature.
  "audit.checkpoints.create": { scope: "audit:read", cost: 5 },
  "audit.keys.list": { scope: "audit:read", cost: 1 },
} as const satisfies Record<string, { scope: Scope; cost: number }>;

export type Operation = keyof typeof OPERATIONS;

export function isOperation(value: unknown): value is Operation {
  return typeof value === "string" && Object.hasOwn(OPERATIONS, value);
}

/**
 * Events the audit log records that no API caller invokes directly: the alarm destroying a key at
 * the end of its deletion window (or one version at the end of its own, or an import job's private
 * key at its expiry), and a platform admin switching emergency fail-open (architecture §4).
 */
export const SYSTEM_OPERATIONS = [
  "keys.destroy", "keys.versions.destroy", "import-jobs.destroy", "policy.fail-open.enable", "policy.fail-open.disable", "audit.keys.create", "audit.keys.rotate",
] as const;
export type SystemOperation = (typeof SYSTEM_OPERATIONS)[number];

/** Every name an audit event's `operation` may take: the catalog's, whatever the outcome, and the system's. */
export type AuditOperation = Operation | SystemOperation;

export const AUDIT_OPERATIONS: readonly AuditOperation[] = [...(Object.keys(OPERATIONS) as Operation[]), ...SYSTEM_OPERATIONS];

export function isAuditOperation(value: unknown): value is AuditOperation {
  return typeof value === "string" && (AUDIT_OPERATIONS as readonly string[]).includes(value);
}

/**
 * Names that earlier versions wrote for allowed key changes and fail-open switches. Stored events
 * are never rewritten (the hash chain covers the name), so a filter on a catalog name also matches
 * its earlier spelling.
 */
export const LEGACY_OPERATION_NAMES: Readonly<Record<string, AuditOperation>> = {
  "key.create": "keys.create",
  "key.update": "keys.update",
  "key.rotate": "keys.rotate",
  "key.disable": "keys.disable",
  "key.enable": "keys.enable",
  "key.schedule_deletion": "keys.schedule-deletion",
  "key.cancel_deletion": "keys.cancel-deletion",
  "key.destroy": "keys.destroy",
  "policy.fail_open.enable": "policy.fail-open.enable",
  "policy.fail_open.disable": "policy.fail-open.disable",
};

/** The stored names an audit filter on `operation` matches: the name and its earlier spellings. */
export function storedNamesOf(operation: AuditOperation): string[] {
  return [operation, ...Object.keys(LEGACY_OPERATION_NAMES).filter((legacy) => LEGACY_OPERATION_NAMES[legacy] === operation)];
}
