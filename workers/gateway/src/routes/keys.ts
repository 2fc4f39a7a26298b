/**
 * Key management routes (DESIGN §5): create (with Idempotency-Key), list, get, patch, public key,
 * rotate, disable / enable, schedule / cancel deletion. The vault is the source of truth; these
 * routes validate input, name the operation for the policy stage, and render the vault's answer.
 */
import * as z from "zod";
import { KEY_ALGORITHM_NAMES } from "../../../shared/algorithms.ts";
import type { Operation } from "../../../shared/operations.ts";
import type { LifecycleActionName } from "../../../shared/rpc.ts";
import { ApiError } from "../http/problem.ts";
import { route } from "../http/routes.ts";
import { pathKeyId } from "../pipeline/key-ref.ts";
import { callContext, callKms } from "../pipeline/route.ts";
import { KeyParam, LabelFilter, Labels, LIMITS, VersionNumber } from "./inputs.ts";
import { KeySchema, PublicKeySchema } from "./schemas.ts";

const CreateKey = z.strictObject({
  algorithm: z.enum(KEY_ALGORITHM_NAMES),
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  labels: Labels.optional(),
  deletion_window_days: z.number().int().min(7).max(30).optional(),
});

const UpdateKey = z
  .strictObject({
    name: z.string().trim().min(1).max(200).nullable().optional(),
    description: z.string().max(2000).nullable().optional(),
    labels: Labels.optional(),
    min_decryption_version: z.number().int().min(1).optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: "give at least one field to change" });

const ListQuery = z.strictObject({
  algorithm: z.enum(KEY_ALGORITHM_NAMES).optional(),
  state: z.enum(["enabled", "disabled", "pending_deletion", "destroyed"]).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  label: LabelFilter.optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50),
  cursor: z.string().max(200).optional(),
});

const PublicKeyQuery = z.strictObject({
  version: VersionNumber.optional(),
  format: z.enum(["raw", "spki", "pem", "jwk"]).default("spki"),
});

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function idempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(header)) throw new ApiError("invalid_request", "Idempotency-Key: 1–255 visible ASCII characters");
  return header;
}

const keyAccess = (operation: Operation) => ({ kind: "tenant" as const, operation, keyParam: "key" });

function lifecycleRoute(path: string, action: LifecycleActionName, operation: Operation, summary: string) {
  return route({
    method: "post",
    path: `/v1/keys/:key/${path}`,
    summary,
    tag: "keys",
    access: keyAccess(operation),
    params: KeyParam,
    ...(action === "schedule_deletion"
      ? { body: z.strictObject({ days: z.number().int().min(7).max(30).optional() }) }
      : {}),
    responses: { 200: { description: "The key", schema: KeySchema } },
    handler: async (c, { body }) => {
      const days = (body as { days?: number } | undefined)?.days ?? null;
      const call = callContext(c.get("auth"), c.get("requestId"));
      const keyId = pathKeyId(c);
      return c.json(await callKms(() => c.env.KMS.changeState(call, keyId, action, days)));
    },
  });
}

export const keyRoutes = [
  route({
    method: "post",
    path: "/v1/keys",
    summary: "Create a key (Idempotency-Key honoured)",
    tag: "keys",
    access: { kind: "tenant", operation: "keys.create", algorithm: ({ body }) => body.algorithm },
    body: CreateKey,
    responses: { 201: { description: "Created", schema: KeySchema } },
    handler: async (c, { body }) => {
      // Validated before the call: callKms turns anything thrown inside it into kms_unavailable.
      const idempotency = idempotencyKey(c.req.header("idempotency-key"));
      const call = callContext(c.get("auth"), c.get("requestId"));
      const key = await callKms(() => c.env.KMS.createKey(call, body, idempotency, c.get("auth").limits.maxKeys));
      return c.json(key, 201);
    },
  }),
  route({
    method: "get",
    path: "/v1/keys",
    summary: "List keys, newest first (filters: algorithm, state, name, label=key:value); a key-restricted API key sees its keys only",
    tag: "keys",
    access: { kind: "tenant", operation: "keys.list" },
    query: ListQuery,
    responses: { 200: { description: "A page of keys", schema: z.object({ keys: z.array(KeySchema), next_cursor: z.string().nullable() }) } },
    handler: async (c, { query }) => {
      const auth = c.get("auth");
      const call = callContext(auth, c.get("requestId"));
      const input = { ...query, ...(auth.keyRestriction === null ? {} : { keyIds: auth.keyRestriction }) };
      return c.json(await callKms(() => c.env.KMS.listKeys(call, input)));
    },
  }),
  route({
    method: "get",
    path: "/v1/keys/:key",
    summary: "Get a key",
    tag: "keys",
    access: keyAccess("keys.get"),
    params: KeyParam,
    responses: { 200: { description: "The key", schema: KeySchema } },
    handler: async (c) => {
      const call = callContext(c.get("auth"), c.get("requestId"));
      const keyId = pathKeyId(c);
      return c.json(await callKms(() => c.env.KMS.getKey(call, keyId)));
    },
  }),
  route({
    method: "patch",
    path: "/v1/keys/:key",
    summary: "Change name, description, labels or min_decryption_version",
    tag: "keys",
    access: keyAccess("keys.update"),
    params: KeyParam,
    body: UpdateKey,
    responses: { 200: { description: "The key", schema: KeySchema } },
    handler: async (c, { body }) => {
      const call = callContext(c.get("auth"), c.get("requestId"));
      const keyId = pathKeyId(c);
      return c.json(await callKms(() => c.env.KMS.updateKey(call, keyId, body)));
    },
  }),
  route({
    method: "get",
    path: "/v1/keys/:key/public-key",
    summary: "A version's public key as raw, SPKI (DER), PEM or JWK (AKP)",
    tag: "keys",
    access: keyAccess("keys.public-key"),
    params: KeyParam,
    query: PublicKeyQuery,
    responses: { 200: { description: "The public key", schema: PublicKeySchema } },
    handler: async (c, { query }) => {
      const call = callContext(c.get("auth"), c.get("requestId"));
      const keyId = pathKeyId(c);
      return c.json(await callKms(() => c.env.KMS.publicKey(call, keyId, query.version ?? null, query.format)));
    },
  }),
  route({
    method: "post",
    path: "/v1/keys/:key/rotate",
    summary: "Create a new primary version; older versions still decrypt and verify",
    tag: "keys",
    access: keyAccess("keys.rotate"),
    params: KeyParam,
    responses: { 200: { description: "The key", schema: KeySchema } },
    handler: async (c) => {
      const call = callContext(c.get("auth"), c.get("requestId"));
      const keyId = pathKeyId(c);
      return c.json(await callKms(() => c.env.KMS.rotateKey(call, keyId)));
    },
  }),
  lifecycleRoute("disable", "disable", "keys.disable", "Disable a key: every crypto operation answers 409"),
  lifecycleRoute("enable", "enable", "keys.enable", "Enable a disabled key"),
  lifecycleRoute("schedule-deletion", "schedule_deletion", "keys.schedule-deletion", "Destroy the key's secret material after 7–30 days"),
  lifecycleRoute("cancel-deletion", "cancel_deletion", "keys.cancel-deletion", "Cancel a scheduled deletion (the key comes back disabled)"),
];
