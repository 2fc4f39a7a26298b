/**
 * Key aliases: a tenant's own names for its keys (`orders`, `billing-signing`), re-pointable from one
 * key to another of the same purpose, so that an application can name `alias:orders` and move to a
 * new key (ML-KEM-768 → X-Wing, say) without a code change. Shared by the gateway (input
 * validation, `alias:NAME` in key paths) and the vault (storage).
 */

/**
 * An alias name: 1–100 characters, lower-case letters, digits, `-` and `_`, starting with a letter
 * or a digit. No `/` and no `.`: a name must fit in one path segment as it is (`/v1/aliases/NAME`,
 * `/v1/keys/alias:NAME/encrypt`) without percent-encoding or a dot segment a proxy could fold.
 */
export const ALIAS_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,99}$/;

export const ALIAS_NAME_RULE = "1–100 of a-z 0-9 - _, starting with a letter or a digit";

/** The prefix that marks an alias where a key id is expected (`/v1/keys/alias:orders/encrypt`). */
export const ALIAS_PREFIX = "alias:";

export function isAliasName(value: unknown): value is string {
  return typeof value === "string" && ALIAS_NAME_PATTERN.test(value);
}
