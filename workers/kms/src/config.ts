/**
 * The kms Worker's configuration: the key-encryption keyring (architecture §8) and the crypto provider
 * var (architecture §1). Reasons name the secret or var, never a secret's value.
 */
import { parseKeyring } from "./crypto/kek.ts";
import { cryptoProviderName } from "./crypto/select-provider.ts";

export function kekReasons(env: KmsEnv): string[] {
  const parsed = parseKeyring(env);
  return parsed.ok ? [] : [parsed.error.detail ?? "KMS keyring is misconfigured"];
}

/** Every reason the kms Worker cannot serve: the keyring, and an unknown CRYPTO_PROVIDER (every vault call then answers `misconfigured`). */
export function configReasons(env: KmsEnv): string[] {
  const provider = cryptoProviderName(env);
  return [...kekReasons(env), ...(provider.ok ? [] : [provider.error.detail ?? "CRYPTO_PROVIDER is misconfigured"])];
}
