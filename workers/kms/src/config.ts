/**
 * The kms Worker's secrets: the key-encryption key (DESIGN §8). Reasons name the secret, never its
 * value.
 */
import { fromBase64 } from "../../shared/base64.ts";

export function kekReasons(env: KmsEnv): string[] {
  const source = env as unknown as Record<string, unknown>;
  const single = source.KMS_KEK;
  if (typeof single !== "string" || single === "") return ["KMS_KEK is not set"];
  const bytes = fromBase64(single);
  return bytes?.length === 32 ? [] : ["KMS_KEK is not base64 of exactly 32 bytes"];
}
