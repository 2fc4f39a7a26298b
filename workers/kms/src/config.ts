/**
 * The kms Worker's configuration: the key-encryption keyring (architecture §8), the crypto provider
 * var (architecture §1) and the audit archive's AUDIT_* vars (architecture §9). Reasons name the secret or var, never a secret's value.
 */
import { parseKeyring } from "./crypto/kek.ts";
import { cryptoProviderName } from "./crypto/select-provider.ts";
import { archiveConfig } from "./vault/archive-plan.ts";

export function kekReasons(env: KmsEnv): string[] {
  const parsed = parseKeyring(env);
  return parsed.ok ? [] : [parsed.error.detail ?? "KMS keyring is misconfigured"];
}

/**
 * Every reason the kms Worker cannot serve: the keyring, an unknown CRYPTO_PROVIDER and a bad AUDIT_*
 * var (every vault call then answers `misconfigured`; archive-plan.ts).
 */
export function configReasons(env: KmsEnv): string[] {
  const provider = cryptoProviderName(env);
  const archive = archiveConfig(env);
  return [
    ...kekReasons(env),
    ...(provider.ok ? [] : [provider.error.detail ?? "CRYPTO_PROVIDER is misconfigured"]),
    ...(archive.ok ? [] : [archive.error.detail ?? "an AUDIT_* var is misconfigured"]),
  ];
}
