/**
 * Key management routes (architecture §5): create (with Idempotency-Key), list, get, patch, public key,
 * rotate, disable / enable, schedule / cancel deletion. The vault is the source of truth; these
 * routes validate input, name the operation for the policy stage, and render the vault's answer.
 */
import * as z from "zod";
import { DELETION_WINDOW_DAYS, KEY_ORIGINS, KEY_STATES } from "../../../shared/key-states.ts";
import { KEY_ALGORITHM_NAMES } from "../../../shared/algorithms.ts";
import type { Operation } from "../../../shared/operations.ts";
import type { LifecycleActionName } from "../../../shared/rpc.ts";
import { ApiError } from "../http/problem.ts";
import { route } from "../http/route-spec.ts";
import { callKms } from "../kms/client.ts";
import { KeepDecryptionVersions, RotationPeriod } from "./rotation-inputs.ts";
import { KeyParam, LabelFilter, Labels, LIMITS, VersionNumber } from "./inputs.ts";
import { KeyPageSchema, KeySchema, PublicKeySchema } from "./schemas.ts";

const { min: MIN_DAYS, max: MAX_DAYS } = DELETION_WINDOW_DAYS;
const deletionDays = z.number().int().min(MIN_DAYS).max(MAX_DAYS);

const CreateKey = z.strictObject({
  algorithm: z.enum(KEY_ALGORITHM_NAMES).describe("The key's algorithm; the tenant's plan decides which it may use"),
  name: z.string().trim().min(1).max(200).optional().describe("Display name, 1–200 characters"),
  description: z.string().max(2000).optional().describe("Free text, at most 2000 characters"),
  labels: Labels.optional(),
  deletion_window_days: deletionDays.optional().describe(`Days between scheduling deletion and destruction, ${MIN_DAYS}–${MAX_DAYS} (default ${DELETION_WINDOW_DAYS.default})`),
  rotation_period: RotationPeriod.optional(),
  keep_decryption_versions: KeepDecryptionVersions.optional(),
  origin: z
    .enum(KEY_ORIGINS)
    .optional()
    .describe("generated (default): the service makes version 1 now; imported: no version until POST /v1/keys/{key}/import (state pending_import)"),
});

const UpdateKey = z
  .strictObject({
    name: z.string().trim().min(1).max(200).nullable().optional().describe("New display name, 1–200 characters; null clears it"),
    description: z.string().max(2000).nullable().optional().describe("New description, at most 2000 characters; null clears it"),
    labels: Labels.optional(),
    min_decryption_version: z.number().int().min(1).optional().describe("Versions older than this stop decrypting; at most the primary version"),
    rotation_period: RotationPeriod.nullable().optional().describe("New rotation period, counted from now; null removes the schedule"),
    keep_decryption_versions: KeepDecryptionVersions.nullable().optional().describe("Versions behind the primary that stay decryptable after a rotation; null stops advancing min_decryption_version"),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: "give at least one field to change" });

const ListQuery = z.strictObject({
  algorithm: z.enum(KEY_ALGORITHM_NAMES).optional().describe("Only keys of this algorithm"),
  state: z.enum(KEY_STATES).optional().describe("Only keys in this state"),
  name: z.string().trim().min(1).max(200).optional().describe("Only keys with exactly this name"),
  label: LabelFilter.optional().describe("Only keys with this label, as key:value (e.g. env:prod)"),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50).describe(`Keys per page, 1–${LIMITS.pageSize}`),
  cursor: z.string().max(200).optional().describe("The next_cursor of the previous page"),
});

const PublicKeyQuery = z.strictObject({
  version: VersionNumber.optional(),
  format: z.enum(["raw", "spki", "pem", "jwk"]).default("spki").describe("raw (FIPS encoding), spki (DER), pem, or jwk (AKP)"),
});

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function idempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!IDEMPOTENCY_KEY.test(header)) throw new ApiError("invalid_request", "Idempotency-Key: 1–255 visible ASCII characters");
  return header;
}

const keyAccess = (operation: Operation) => ({ kind: "tenant" as const, operation, keyParam: "key" });

const LIFECYCLE_OPERATION_IDS: Record<LifecycleActionName, string> = {
  disable: "disableKey",
  enable: "enableKey",
  schedule_deletion: "scheduleKeyDeletion",
  cancel_deletion: "cancelKeyDeletion",
};

function lifecycleRoute(path: string, action: LifecycleActionName, operation: Operation, summary: string) {
  return route({
    method: "post",
    path: `/v1/keys/:key/${path}`,
    summary,
    operationId: LIFECYCLE_OPERATION_IDS[action],
    errors: ["conflict"],
    tag: "keys",
    access: keyAccess(operation),
    params: KeyParam,
    ...(action === "schedule_deletion"
      ? { body: z.strictObject({ days: deletionDays.optional().describe(`Days until destruction, ${MIN_DAYS}–${MAX_DAYS} (default: the key's deletion_window_days)`) }) }
      : {}),
    responses: { 200: { description: "The key", schema: KeySchema } },
    handler: async (c, { body, call, keyId }) => {
      const days = (body as { days?: number } | undefined)?.days ?? null;
      return c.json(await callKms(() => c.env.KMS.changeState(call, keyId, action, days)));
    },
  });
}

export const keyRoutes = [
  route({
    method: "post",
    path: "/v1/keys",
    summary: "Create a key (Idempotency-Key honoured)",
    operationId: "createKey",
    tag: "keys",
    access: { kind: "tenant", operation: "keys.create", algorithm: ({ body }) => body.algorithm },
    body: CreateKey,
    idempotencyKey: true,
    errors: ["idempotency_conflict", "conflict"],
    responses: { 201: { description: "Created", schema: KeySchema } },
    handler: async (c, { body, call }) => {
      // Validated before the call: callKms turns anything thrown inside it into kms_unavailable.
      const idempotency = idempotencyKey(c.req.header("idempotency-key"));
      const key = await callKms(() => c.env.KMS.createKey(call, body, idempotency, c.get("auth").limits.maxKeys));
      return c.json(key, 201);
    },
  }),
  route({
    method: "get",
    path: "/v1/keys",
    summary: "List keys, newest first (filters: algorithm, state, name, label=key:value); a key-restricted API key sees its keys only",
    operationId: "listKeys",
    tag: "keys",
    access: { kind: "tenant", operation: "keys.list" },
    query: ListQuery,
    responses: { 200: { description: "A page of keys", schema: KeyPageSchema } },
    handler: async (c, { query, call }) => {
      const auth = c.get("auth");
      const input = { ...query, ...(auth.keyRestriction === null ? {} : { keyIds: auth.keyRestriction }) };
      return c.json(await callKms(() => c.env.KMS.listKeys(call, input)));
    },
  }),
  route({
    method: "get",
    path: "/v1/keys/:key",
    summary: "Get a key",
    operationId: "getKey",
    tag: "keys",
    access: keyAccess("keys.get"),
    params: KeyParam,
    responses: { 200: { description: "The key", schema: KeySchema } },
    handler: async (c, { call, keyId }) => {
      return c.json(await callKms(() => c.env.KMS.getKey(call, keyId)));
    },
  }),
  route({
    method: "patch",
    path: "/v1/keys/:key",
    summary: "Change name, description, labels, min_decryption_version or the rotation schedule",
    operationId: "updateKey",
    tag: "keys",
    access: keyAccess("keys.update"),
    params: KeyParam,
    body: UpdateKey,
    errors: ["conflict"],
    responses: { 200: { description: "The key", schema: KeySchema } },
    handler: async (c, { body, call, keyId }) => {
      return c.json(await callKms(() => c.env.KMS.updateKey(call, keyId, body)));
    },
  }),
  route({
    method: "get",
    path: "/v1/keys/:key/public-key",
    summary: "A version's public key as raw, SPKI (DER), PEM or JWK (AKP)",
    operationId: "getPublicKey",
    tag: "keys",
    access: keyAccess("keys.public-key"),
    params: KeyParam,
    query: PublicKeyQuery,
    errors: ["unsupported_operation"],
    responses: { 200: { description: "The public key", schema: PublicKeySchema } },
    handler: async (c, { query, call, keyId }) => {
      return c.json(await callKms(() => c.env.KMS.publicKey(call, keyId, query.version ?? null, query.format)));
    },
  }),
  route({
    method: "post",
    path: "/v1/keys/:key/rotate",
    summary: "Create a new primary version; older versions still decrypt and verify",
    operationId: "rotateKey",
    tag: "keys",
    access: keyAccess("keys.rotate"),
    params: KeyParam,
    errors: ["conflict"],
    responses: { 200: { description: "The key", schema: KeySchema } },
    handler: async (c, { call, keyId }) => {
      return c.json(await callKms(() => c.env.KMS.rotateKey(call, keyId)));
    },
  }),
  lifecycleRoute("disable", "disable", "keys.disable", "Disable a key: every crypto operation answers 409"),
  lifecycleRoute("enable", "enable", "keys.enable", "Enable a disabled key"),
  lifecycleRoute("schedule-deletion", "schedule_deletion", "keys.schedule-deletion", "Destroy the key's secret material after 7–30 days"),
  lifecycleRoute("cancel-deletion", "cancel_deletion", "keys.cancel-deletion", "Cancel a scheduled deletion (the key comes back disabled)"),
];
