/**
 * Cryptographic operations (architecture §5): encrypt / decrypt (HPKE envelopes), encapsulate /
 * decapsulate (raw FIPS 203), sign / verify (FIPS 204, optional context, or external μ), mac /
 * verify-mac (HMAC, RFC 2104).
 * Binary fields are base64 in and out; sizes are checked here, before any crypto runs.
 */
import * as z from "zod";
import { toBase64 } from "../../../shared/base64.ts";
import type { Operation } from "../../../shared/operations.ts";
import type { SignInputWire } from "../../../shared/rpc.ts";
import { signInputProblems } from "../../../shared/sign-input.ts";
import { route } from "../http/route-spec.ts";
import { callKms } from "../kms/client.ts";
import { bytes, KeyParam, KeyVersion, LIMITS } from "./inputs.ts";
import {
  DataKeySchema, RewrappedSchema,
  CiphertextSchema, EncapsulationSchema, MacSchema, MacVerificationSchema, PlaintextSchema, SharedSecretSchema, SignatureSchema, VerificationSchema,
  base64Field,
} from "./schemas.ts";

export const EMPTY = new Uint8Array(0);
const aad = bytes(LIMITS.aadBytes).optional().describe(base64Field("Additional authenticated data: bound to the ciphertext, not in it; give the same to decrypt", LIMITS.aadBytes));

const envelope = bytes(LIMITS.ciphertextBytes, 1).describe(base64Field("A PQK envelope this key produced", LIMITS.ciphertextBytes, 1));
export const Encrypt = z.strictObject({ plaintext: bytes(LIMITS.plaintextBytes).describe(base64Field("The data to encrypt", LIMITS.plaintextBytes)), aad });
export const Decrypt = z.strictObject({ ciphertext: envelope, aad });
const Rewrap = z.strictObject({ ciphertext: envelope, aad });
const DataKey = z.strictObject({ plaintext: z.boolean().default(false).describe("Also return the data key in clear (default false)"), aad });
const Decapsulate = z.strictObject({
  ciphertext: bytes(LIMITS.ciphertextBytes, 1).describe(base64Field("The ML-KEM ciphertext", LIMITS.ciphertextBytes, 1)),
  key_version: KeyVersion.optional(),
});

const signed = {
  message: bytes(LIMITS.messageBytes).optional().describe(base64Field("The message (give message or mu)", LIMITS.messageBytes)),
  mu: bytes(LIMITS.muBytes, LIMITS.muBytes).optional().describe(base64Field("External μ (FIPS 204 §6.2), instead of message", LIMITS.muBytes, LIMITS.muBytes)),
  context: bytes(LIMITS.contextBytes).optional().describe(base64Field("FIPS 204 context string, with message only", LIMITS.contextBytes)),
};
/** The API counts a `context` field as given even when empty: it is refused beside `mu` (shared/sign-input.ts). */
const problems = (v: { message?: unknown; mu?: unknown; context?: unknown }) =>
  signInputProblems({ message: v.message !== undefined, mu: v.mu !== undefined, context: v.context !== undefined });
const exactlyOne = (v: { message?: unknown; mu?: unknown; context?: unknown }) => !problems(v).includes("message_or_mu");
const noContextWithMu = (v: { message?: unknown; mu?: unknown; context?: unknown }) => !problems(v).includes("context_with_mu");

export const Sign = z
  .strictObject(signed)
  .refine(exactlyOne, { message: "give exactly one of message or mu", path: ["message"] })
  .refine(noContextWithMu, { message: "context cannot be used with mu (μ already binds it)", path: ["context"] });
export const Verify = z
  .strictObject({
    ...signed,
    signature: bytes(LIMITS.signatureBytes, 1).describe(base64Field("The signature", LIMITS.signatureBytes, 1)),
    key_version: KeyVersion.optional(),
  })
  .refine(exactlyOne, { message: "give exactly one of message or mu", path: ["message"] })
  .refine(noContextWithMu, { message: "context cannot be used with mu (μ already binds it)", path: ["context"] });

const macMessage = bytes(LIMITS.messageBytes).describe(base64Field("The message", LIMITS.messageBytes));
export const Mac = z.strictObject({ message: macMessage });
export const VerifyMac = z.strictObject({
  message: macMessage,
  // A tag of the wrong length is an invalid tag (valid: false), not a bad request.
  mac: bytes(LIMITS.signatureBytes).describe(base64Field("The HMAC tag to check", LIMITS.signatureBytes)),
  key_version: KeyVersion.optional(),
});

export function signInput(body: { message?: Uint8Array; mu?: Uint8Array; context?: Uint8Array }): SignInputWire {
  if (body.mu !== undefined) return { mu: body.mu };
  return body.context === undefined ? { message: body.message ?? EMPTY } : { message: body.message ?? EMPTY, context: body.context };
}

const access = (operation: Operation) => ({ kind: "tenant" as const, operation, keyParam: "key" });

export const cryptoRoutes = [
  route({
    method: "post",
    path: "/v1/keys/:key/encrypt",
    summary: "Encrypt to the key's primary version (HPKE envelope)",
    operationId: "encrypt",
    tag: "crypto",
    access: access("crypto.encrypt"),
    params: KeyParam,
    body: Encrypt,
    errors: ["unsupported_operation"],
    responses: { 200: { description: "The envelope", schema: CiphertextSchema } },
    handler: async (c, { body, call, keyId }) => {
      const out = await callKms(() => c.env.KMS.encrypt(call, keyId, body.plaintext, body.aad ?? EMPTY));
      return c.json({ ciphertext: toBase64(out.ciphertext), key_version: out.key_version });
    },
  }),
  route({
    method: "post",
    path: "/v1/keys/:key/decrypt",
    summary: "Decrypt an envelope (its key id must be this key; its version is read from it)",
    operationId: "decrypt",
    tag: "crypto",
    access: access("crypto.decrypt"),
    params: KeyParam,
    body: Decrypt,
    errors: ["unsupported_operation", "decrypt_failed"],
    responses: { 200: { description: "The plaintext", schema: PlaintextSchema } },
    handler: async (c, { body, call, keyId }) => {
      const out = await callKms(() => c.env.KMS.decrypt(call, keyId, body.ciphertext, body.aad ?? EMPTY));
      return c.json({ plaintext: toBase64(out.plaintext), key_version: out.key_version });
    },
  }),
  route({
    method: "post",
    path: "/v1/keys/:key/rewrap",
    summary: "Re-encrypt an envelope under the primary version; the plaintext never leaves the service",
    operationId: "rewrap",
    tag: "crypto",
    access: access("crypto.rewrap"),
    params: KeyParam,
    body: Rewrap,
    errors: ["unsupported_operation", "decrypt_failed"],
    responses: { 200: { description: "The new envelope", schema: RewrappedSchema } },
    handler: async (c, { body, call, keyId }) => {
      const out = await callKms(() => c.env.KMS.rewrap(call, keyId, body.ciphertext, body.aad ?? EMPTY));
      return c.json({ ciphertext: toBase64(out.ciphertext), key_version: out.key_version, source_version: out.source_version });
    },
  }),
  route({
    method: "post",
    path: "/v1/keys/:key/datakey",
    summary: "A fresh AES-256 data key sealed under the primary version (plaintext copy only if asked)",
    operationId: "generateDataKey",
    tag: "crypto",
    access: access("crypto.datakey"),
    params: KeyParam,
    body: DataKey,
    errors: ["unsupported_operation"],
    responses: { 200: { description: "The sealed data key", schema: DataKeySchema } },
    handler: async (c, { body, call, keyId }) => {
      const out = await callKms(() => c.env.KMS.dataKey(call, keyId, { plaintext: body.plaintext, aad: body.aad ?? EMPTY }));
      return c.json({
        ciphertext: toBase64(out.ciphertext),
        key_version: out.key_version,
        algorithm: out.algorithm,
        ...(out.plaintext === null ? {} : { plaintext: toBase64(out.plaintext) }),
      });
    },
  }),
  route({
    method: "post",
    path: "/v1/keys/:key/encapsulate",
    summary: "ML-KEM encapsulation to the primary version: a ciphertext and a shared secret",
    operationId: "encapsulate",
    tag: "crypto",
    access: access("crypto.encapsulate"),
    params: KeyParam,
    errors: ["unsupported_operation"],
    responses: { 200: { description: "Encapsulation", schema: EncapsulationSchema } },
    handler: async (c, { call, keyId }) => {
      const out = await callKms(() => c.env.KMS.encapsulate(call, keyId));
      return c.json({ ciphertext: toBase64(out.ciphertext), shared_secret: toBase64(out.shared_secret), key_version: out.key_version });
    },
  }),
  route({
    method: "post",
    path: "/v1/keys/:key/decapsulate",
    summary: "ML-KEM decapsulation (FIPS 203 implicit rejection)",
    operationId: "decapsulate",
    tag: "crypto",
    access: access("crypto.decapsulate"),
    params: KeyParam,
    body: Decapsulate,
    errors: ["unsupported_operation"],
    responses: { 200: { description: "The shared secret", schema: SharedSecretSchema } },
    handler: async (c, { body, call, keyId }) => {
      const out = await callKms(() => c.env.KMS.decapsulate(call, keyId, body.ciphertext, body.key_version ?? null));
      return c.json({ shared_secret: toBase64(out.shared_secret), key_version: out.key_version });
    },
  }),
  route({
    method: "post",
    path: "/v1/keys/:key/sign",
    summary: "Sign a message (pure ML-DSA, optional context) or an external μ",
    operationId: "sign",
    tag: "crypto",
    access: access("crypto.sign"),
    params: KeyParam,
    body: Sign,
    errors: ["unsupported_operation"],
    responses: { 200: { description: "The signature", schema: SignatureSchema } },
    handler: async (c, { body, call, keyId }) => {
      const out = await callKms(() => c.env.KMS.sign(call, keyId, signInput(body)));
      return c.json({ signature: toBase64(out.signature), key_version: out.key_version });
    },
  }),
  route({
    method: "post",
    path: "/v1/keys/:key/verify",
    summary: "Verify a signature (any version not destroyed; default primary)",
    operationId: "verify",
    tag: "crypto",
    access: access("crypto.verify"),
    params: KeyParam,
    body: Verify,
    errors: ["unsupported_operation"],
    responses: { 200: { description: "Whether the signature is valid", schema: VerificationSchema } },
    handler: async (c, { body, call, keyId }) => {
      const out = await callKms(() => c.env.KMS.verify(call, keyId, signInput(body), body.signature, body.key_version ?? null));
      return c.json(out);
    },
  }),
  route({
    method: "post",
    path: "/v1/keys/:key/mac",
    summary: "HMAC a message with the key's primary version (the full-length tag)",
    operationId: "mac",
    tag: "crypto",
    access: access("crypto.mac"),
    params: KeyParam,
    body: Mac,
    errors: ["unsupported_operation"],
    responses: { 200: { description: "The tag", schema: MacSchema } },
    handler: async (c, { body, call, keyId }) => {
      const out = await callKms(() => c.env.KMS.mac(call, keyId, body.message));
      return c.json({ mac: toBase64(out.mac), key_version: out.key_version });
    },
  }),
  route({
    method: "post",
    path: "/v1/keys/:key/verify-mac",
    summary: "Check an HMAC tag in constant time (any version not destroyed; default primary)",
    operationId: "verifyMac",
    tag: "crypto",
    access: access("crypto.verify-mac"),
    params: KeyParam,
    body: VerifyMac,
    errors: ["unsupported_operation"],
    responses: { 200: { description: "Whether the tag is valid", schema: MacVerificationSchema } },
    handler: async (c, { body, call, keyId }) => {
      const out = await callKms(() => c.env.KMS.verifyMac(call, keyId, body.message, body.mac, body.key_version ?? null));
      return c.json(out);
    },
  }),
];
