/**
 * The kms Worker's secrets: the key-encryption keyring (architecture §8). Reasons name the secret,
 * never its value.
 */
import { parseKeyring } from "./crypto/kek.ts";

export function kekReasons(env: KmsEnv): string[] {
  const parsed = parseKeyring(env);
  return parsed.ok ? [] : [parsed.error.detail ?? "KMS keyring is misconfigured"];
}
