/**
 * What may reach a log line: anything that looks like an API key, a token or a long hex/base64
 * run (a key, a ciphertext) is replaced before an error message is logged (STYLE: never log
 * secrets, tokens or plaintext). Pure.
 */

/** Redacts anything that looks like a token, key or long hex/base64 run before a log line. */
export function redact(text: string): string {
  return text.replace(/pqk_[0-9A-Za-z]+/g, "pqk_[redacted]").replace(/[A-Za-z0-9+/_=-]{24,}/g, "[redacted]");
}
