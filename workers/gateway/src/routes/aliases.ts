/**
 * Alias routes: a tenant's names for its keys. `POST /v1/aliases {name, key_id}`, `GET /v1/aliases`,
 * `GET|PATCH|DELETE /v1/aliases/{name}`. An alias can be used wherever a key id goes in a path, as
 * `alias:NAME`, and re-pointed to another key of the same purpose; envelopes name the key itself,
 * so data encrypted through an alias still decrypts (key-less `POST /v1/decrypt`) after it moves.
 *
 * Key restriction: the registry checks it on the key an alias points to now (`aliasParam`) and on
 * the key a body names (`keyFrom`), so a restricted API key can only create, read, re-point or
 * delete aliases of its own keys, and lists only those.
 */
import * as z from "zod";
import { ALIAS_NAME_PATTERN, ALIAS_NAME_RULE } from "../../../shared/aliases.ts";
import { route } from "../http/route-spec.ts";
import { keyIdFromPath } from "../pipeline/key-ref.ts";
import { callKms } from "../kms/client.ts";
import { LIMITS } from "./inputs.ts";

/** A key id in a body: a UUID, any case, normalised to lower case like a key id in a path. */
const KeyId = z
  .string()
  .transform((text, ctx) => {
    const id = keyIdFromPath(text);
    if (id === null) {
      ctx.addIssue({ code: "custom", message: "must be a key id (a UUID)" });
      return z.NEVER;
    }
    return id;
  })
  .describe("The id of the key the alias points to");

const AliasName = z.string().regex(ALIAS_NAME_PATTERN, ALIAS_NAME_RULE).describe(`The alias name: ${ALIAS_NAME_RULE}`);

// No pattern here: a name no alias can have answers 404 alias_not_found, like a name no alias has.
const AliasParam = z.strictObject({ name: z.string().describe("The alias name") });

const CreateAlias = z.strictObject({ name: AliasName, key_id: KeyId });
const UpdateAlias = z.strictObject({ key_id: KeyId });

const ListQuery = z.strictObject({
  key_id: KeyId.optional().describe("Only aliases that point to this key"),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50).describe(`Aliases per page, 1–${LIMITS.pageSize}`),
  cursor: z.string().max(200).optional().describe("The next_cursor of the previous page"),
});

export const AliasSchema = z
  .object({
    name: z.string().describe(`The alias name (${ALIAS_NAME_RULE}); use it as alias:NAME wherever a key id goes`),
    key_id: z.uuid().describe("The key it points to now"),
    purpose: z.enum(["encrypt", "sign", "mac"]).describe("The purpose of the key it points to; a re-pointed alias keeps it"),
    created_at: z.iso.datetime().describe("When the alias was created (RFC 3339, UTC)"),
    updated_at: z.iso.datetime().describe("When it was last re-pointed (RFC 3339, UTC)"),
  })
  .meta({ id: "Alias", description: "A tenant's name for one of its keys, re-pointable to another key of the same purpose" });

const AliasPage = z
  .object({
    aliases: z.array(AliasSchema).describe("Aliases, by name"),
    next_cursor: z.string().nullable().describe("Pass as cursor for the next page; null on the last"),
  })
  .meta({ id: "AliasPage", description: "A page of aliases" });

export const aliasRoutes = [
  route({
    method: "post",
    path: "/v1/aliases",
    summary: "Create an alias for a key (names are unique per tenant)",
    operationId: "createAlias",
    tag: "aliases",
    errors: ["conflict", "key_not_found"],
    access: { kind: "tenant", operation: "aliases.create", keyFrom: ({ body }) => body.key_id },
    body: CreateAlias,
    responses: { 201: { description: "Created", schema: AliasSchema } },
    handler: async (c, { body, call }) => {
      return c.json(await callKms(() => c.env.KMS.createAlias(call, body.name, body.key_id)), 201);
    },
  }),
  route({
    method: "get",
    path: "/v1/aliases",
    summary: "List aliases by name (filter: key_id); a key-restricted API key sees aliases of its keys only",
    operationId: "listAliases",
    tag: "aliases",
    access: { kind: "tenant", operation: "aliases.list" },
    query: ListQuery,
    responses: { 200: { description: "A page of aliases", schema: AliasPage } },
    handler: async (c, { query, call }) => {
      const auth = c.get("auth");
      const input = { ...query, ...(auth.keyRestriction === null ? {} : { keyIds: auth.keyRestriction }) };
      return c.json(await callKms(() => c.env.KMS.listAliases(call, input)));
    },
  }),
  route({
    method: "get",
    path: "/v1/aliases/:name",
    summary: "Get an alias",
    operationId: "getAlias",
    tag: "aliases",
    errors: ["alias_not_found"],
    access: { kind: "tenant", operation: "aliases.get", aliasParam: "name" },
    params: AliasParam,
    responses: { 200: { description: "The alias", schema: AliasSchema } },
    handler: async (c, { params, call }) => {
      return c.json(await callKms(() => c.env.KMS.getAlias(call, params.name)));
    },
  }),
  route({
    method: "patch",
    path: "/v1/aliases/:name",
    summary: "Re-point an alias to another key of the same purpose",
    operationId: "updateAlias",
    tag: "aliases",
    errors: ["alias_not_found", "conflict", "key_not_found"],
    access: { kind: "tenant", operation: "aliases.update", aliasParam: "name", keyFrom: ({ body }) => body.key_id },
    params: AliasParam,
    body: UpdateAlias,
    responses: { 200: { description: "The alias", schema: AliasSchema } },
    handler: async (c, { params, body, call }) => {
      return c.json(await callKms(() => c.env.KMS.updateAlias(call, params.name, body.key_id)));
    },
  }),
  route({
    method: "delete",
    path: "/v1/aliases/:name",
    summary: "Delete an alias (the key is not touched)",
    operationId: "deleteAlias",
    tag: "aliases",
    errors: ["alias_not_found"],
    access: { kind: "tenant", operation: "aliases.delete", aliasParam: "name" },
    params: AliasParam,
    responses: { 204: { description: "Deleted" } },
    handler: async (c, { params, call }) => {
      await callKms(() => c.env.KMS.deleteAlias(call, params.name));
      return c.body(null, 204);
    },
  }),
];
