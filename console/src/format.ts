/**
 * Pure helpers of the console: text ⇄ base64 (the API's binary fields are base64, RFC 4648 §4),
 * the curl and `pqkms` commands equivalent to a "try it" call, dates, and what a missing scope
 * greys out.
 */
import type { Scope } from "./api.ts";

/** What was sent as HTTP, for the equivalent curl command. */
export interface SentRequest { method: string; path: string; body?: unknown }

/** A "try it" call as the user made it: texts as typed, ciphertexts and signatures as base64. */
export type TryCall =
  | { op: "encrypt"; key: string; plaintext: string }
  | { op: "decrypt"; key: string; ciphertext: string }
  | { op: "sign"; key: string; message: string }
  | { op: "verify"; key: string; message: string; signature: string };

/** UTF-8 text to standard base64. */
export function textToBase64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Standard or url-safe base64 to UTF-8 text; bytes that are not UTF-8 become U+FFFD. */
export function base64ToText(value: string): string {
  const binary = atob(value.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** POSIX shell single-quoting: safe for any text, including quotes and newlines. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The curl command that makes the same call. The credential is never printed: the command reads it
 * from $PQKMS_API_KEY, as the README's examples do.
 */
export function curlCommand(origin: string, sent: SentRequest): string {
  const parts = ["curl -s", ...(sent.method === "GET" ? [] : [`-X ${sent.method}`]), shellQuote(`${origin}${sent.path}`), `-H "x-api-key: $PQKMS_API_KEY"`];
  if (sent.body !== undefined) parts.push(`-H 'content-type: application/json'`, `-d ${shellQuote(JSON.stringify(sent.body))}`);
  return parts.join(" ");
}

/** The request a "try it" call sends: the text as UTF-8 in base64, as any client sends bytes. */
export function sentOf(call: TryCall): SentRequest {
  const path = `/v1/keys/${encodeURIComponent(call.key)}/${call.op}`;
  switch (call.op) {
    case "encrypt":
      return { method: "POST", path, body: { plaintext: textToBase64(call.plaintext) } };
    case "decrypt":
      return { method: "POST", path, body: { ciphertext: call.ciphertext } };
    case "sign":
      return { method: "POST", path, body: { message: textToBase64(call.message) } };
    case "verify":
      return { method: "POST", path, body: { message: textToBase64(call.message), signature: call.signature } };
  }
}

/**
 * The `pqkms` command line (the client package's CLI) that makes the same call. Input goes in on
 * stdin and `--base64` keeps envelopes and signatures as base64 text, as this panel shows them;
 * the API key comes from $PQKMS_API_KEY, as for curl. A signature to verify is read from a file.
 */
export function pqkmsCommand(origin: string, call: TryCall): string {
  const pqkms = `pqkms --url ${shellQuote(origin)}`;
  const key = `--key ${shellQuote(call.key)}`;
  switch (call.op) {
    case "encrypt":
      return `printf '%s' ${shellQuote(call.plaintext)} | ${pqkms} encrypt ${key} --base64`;
    case "decrypt":
      return `printf '%s' ${shellQuote(call.ciphertext)} | ${pqkms} decrypt ${key} --base64`;
    case "sign":
      return `printf '%s' ${shellQuote(call.message)} | ${pqkms} sign ${key} --base64`;
    case "verify":
      return `printf '%s' ${shellQuote(call.signature)} > signature.b64 && printf '%s' ${shellQuote(call.message)} | ${pqkms} verify ${key} --signature signature.b64 --base64`;
  }
}

/** An RFC 3339 time as `2027-01-05 14:03 UTC`, or an em dash for none. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** The calendar date (UTC) `days` after `now`: what a scheduled deletion will say. */
export function dateAfterDays(now: number, days: number): string {
  return new Date(now + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Why the signed-in key cannot do something, or null when it can. `scopes` is null when they could
 * not be read (a key without keys:read): then nothing is greyed out and the API says what it refuses.
 */
export function missingScope(scopes: readonly Scope[] | null, needed: Scope): string | null {
  if (scopes === null || scopes.includes(needed)) return null;
  return `This API key lacks the ${needed} scope`;
}

/** Algorithms whose keys have a public half (KEMs and signatures); symmetric and HMAC keys do not. */
export function hasPublicKey(algorithm: string): boolean {
  return !/^(AES-|ChaCha20|HMAC-)/.test(algorithm);
}

/** `k:v` label pairs as shown in lists. */
export function labelText(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}:${v}`).join(", ");
}
