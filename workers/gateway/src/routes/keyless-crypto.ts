/**
 * Key-less decrypt and rewrap: `POST /v1/decrypt` and `POST /v1/rewrap {ciphertext, aad?}`. The key
 * is the one the envelope's header names (architecture §7), read here only to check the caller's key
 * restriction on it (`keyFrom`); the vault reads it again and decides. This is what makes
 * re-pointing an alias safe: data encrypted through `alias:orders` still opens after `orders`
 * names a new key. An envelope that names no key of the tenant answers like a tampered one:
 * 400 `decrypt_failed`.
 */
import * as z from "zod";
import { envelopeKeyId } from "../../../shared/envelope-header.ts";
import { toBase64 } from "../../../shared/base64.ts";
import { route } from "../http/route-spec.ts";
import { callKms } from "../kms/client.ts";
import { bytes, LIMITS } from "./inputs.ts";
import { base64Field, PlaintextSchema, RewrappedSchema } from "./schemas.ts";

const EMPTY = new Uint8Array(0);

const Envelope = z.strictObject({
  ciphertext: bytes(LIMITS.ciphertextBytes, 1).describe(base64Field("An envelope this service made; it names its key and version", LIMITS.ciphertextBytes, 1)),
  aad: bytes(LIMITS.aadBytes).optional().describe(base64Field("The additional authenticated data given at encryption", LIMITS.aadBytes)),
});

export const keylessCryptoRoutes = [
  route({
    method: "post",
    path: "/v1/decrypt",
    summary: "Decrypt an envelope with the key and version its header names",
    operationId: "decryptEnvelope",
    tag: "crypto",
    errors: ["decrypt_failed", "key_disabled", "unsupported_operation"],
    access: { kind: "tenant", operation: "crypto.decrypt", keyFrom: ({ body }) => envelopeKeyId(body.ciphertext) },
    body: Envelope,
    responses: { 200: { description: "The plaintext", schema: PlaintextSchema } },
    handler: async (c, { body, call }) => {
      const out = await callKms(() => c.env.KMS.decryptEnvelope(call, body.ciphertext, body.aad ?? EMPTY));
      return c.json({ plaintext: toBase64(out.plaintext), key_version: out.key_version });
    },
  }),
  route({
    method: "post",
    path: "/v1/rewrap",
    summary: "Re-encrypt an envelope under the primary version of the key its header names",
    operationId: "rewrapEnvelope",
    tag: "crypto",
    errors: ["decrypt_failed", "key_disabled", "unsupported_operation"],
    access: { kind: "tenant", operation: "crypto.rewrap", keyFrom: ({ body }) => envelopeKeyId(body.ciphertext) },
    body: Envelope,
    responses: { 200: { description: "The new envelope", schema: RewrappedSchema } },
    handler: async (c, { body, call }) => {
      const out = await callKms(() => c.env.KMS.rewrapEnvelope(call, body.ciphertext, body.aad ?? EMPTY));
      return c.json({ ciphertext: toBase64(out.ciphertext), key_version: out.key_version, source_version: out.source_version });
    },
  }),
];
