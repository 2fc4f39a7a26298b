/**
 * Log redaction (workers/gateway/src/http/redact.ts): API keys and long key-like runs never reach
 * a log line; ordinary words and short ids do.
 */
import { describe, expect, it } from "vitest";
import { redact } from "../../../workers/gateway/src/http/redact.ts";

describe("redact", () => {
  it.each([
    ["no secrets here", "no secrets here"],
    ["token pqk_abcDEF123 refused", "token pqk_[redacted] refused"],
    ["pqk_", "pqk_"],
    ["a pqk_1 and pqk_2", "a pqk_[redacted] and pqk_[redacted]"],
    ["key 0123456789abcdef0123456789abcdef end", "key [redacted] end"],
    ["b64 QUJDREVGR0hJSktMTU5PUFFSU1RVVldY== end", "b64 [redacted] end"],
    ["url-safe AbCdEfGhIjKlMnOpQrStUvWx_-", "url-safe [redacted]"],
    ["23 chars 01234567890123456789012 stay", "23 chars 01234567890123456789012 stay"],
    ["24 chars 012345678901234567890123 go", "24 chars [redacted] go"],
    ["D1_ERROR: no such table: api_keys", "D1_ERROR: no such table: api_keys"],
  ])("%j → %j", (text, expected) => {
    expect(redact(text)).toBe(expected);
  });
});
