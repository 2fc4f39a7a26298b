/**
 * Which key version a crypto operation uses, and how a refusal is audited (architecture §5, §9). Pure:
 * each rule looks only at the key row and the caller's input.
 */
import { fail, type Failure } from "../../../shared/errors.ts";
import type { Outcome, Severity } from "../../../shared/audit/chain.ts";
import type { KeyRow } from "./rows.ts";

export type VersionRule = (key: KeyRow) => number | Failure;

/** Encrypt, encapsulate and sign use the primary version. */
export const primaryVersion: VersionRule = (key) => key.primary_version;

/**
 * The version an envelope names, for decryption: it must exist and be ≥ min_decryption_version.
 * A version that does not exist is just another bad envelope (decrypt_failed, no detail).
 */
export function decryptableVersion(version: number): VersionRule {
  return (key) => {
    if (version > key.primary_version || version < 1) return fail("decrypt_failed");
    if (version < key.min_decryption_version) {
      return fail("key_disabled", `Key version ${version} is below min_decryption_version ${key.min_decryption_version}`);
    }
    return version;
  };
}

/**
 * A version the caller names in the body (`key_version`), default the primary. One that does not
 * exist is a bad request naming the field; for decapsulation the minimum decryption version applies.
 */
export function namedVersion(version: number | null, options: { decrypting: boolean }): VersionRule {
  return (key) => {
    const wanted = version ?? key.primary_version;
    if (wanted < 1 || wanted > key.primary_version) return fail("invalid_request", `body.key_version: key has no version ${wanted}`);
    return options.decrypting ? decryptableVersion(wanted)(key) : wanted;
  };
}

/**
 * How a refused or failed crypto operation is audited. Refusals because of the key (unknown, not
 * usable) are denials; anything else failed. Key material that is unavailable or fails its
 * integrity check (the only internal_error an operation answers) means storage was altered or a KEK
 * is missing: critical.
 */
export function auditedFailure(failure: Failure): { outcome: Outcome; rule: string; severity: Severity; detail: string | null } {
  const { code, detail } = failure.error;
  return {
    outcome: code === "key_not_found" || code === "key_disabled" ? "denied" : "failed",
    rule: code,
    severity: code === "internal_error" ? "critical" : "warning",
    detail: detail ?? null,
  };
}
