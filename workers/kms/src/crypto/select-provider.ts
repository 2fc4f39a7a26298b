/**
 * Which `CryptoProvider` the vault uses (architecture §1), from the kms Worker's `CRYPTO_PROVIDER`
 * var: "webcrypto" (the default: native Web Crypto where the runtime has the algorithm, noble for the
 * rest) or "noble" (pure TypeScript everywhere). Any other value is a configuration error: the vault
 * answers every call 503 `misconfigured` rather than guess (fail closed), and the Worker's health
 * check names the var.
 *
 * Trust boundary: none; reads a deploy-time var, never a secret.
 */
import { fail, ok, type Result } from "../../../shared/errors.ts";
import { NobleProvider } from "./noble-provider.ts";
import type { CryptoProvider } from "./provider.ts";
import { WebCryptoProvider } from "./webcrypto-provider.ts";

export const CRYPTO_PROVIDER_NAMES = ["webcrypto", "noble"] as const;
export type CryptoProviderName = (typeof CRYPTO_PROVIDER_NAMES)[number];

/** The provider named by the var (absent means the default, "webcrypto"), or why the value is refused. */
export function cryptoProviderName(env: { readonly CRYPTO_PROVIDER?: unknown }): Result<CryptoProviderName> {
  const value = env.CRYPTO_PROVIDER ?? "webcrypto";
  if (typeof value === "string" && (CRYPTO_PROVIDER_NAMES as readonly string[]).includes(value)) {
    return ok(value as CryptoProviderName);
  }
  return fail("misconfigured", `CRYPTO_PROVIDER must be one of ${CRYPTO_PROVIDER_NAMES.join(", ")}`);
}

/** The provider the var names, or `misconfigured` (the vault then refuses every call, fail closed). */
export function selectProvider(env: { readonly CRYPTO_PROVIDER?: unknown }): Result<CryptoProvider> {
  const name = cryptoProviderName(env);
  if (!name.ok) return name;
  return ok(name.value === "noble" ? new NobleProvider() : new WebCryptoProvider());
}
