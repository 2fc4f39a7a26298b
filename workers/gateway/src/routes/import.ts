/**
 * Key import routes (architecture §5, key import): import jobs, whose ML-KEM-768 or X-Wing public key
 * a client seals its key material to (RFC 9180 base mode, so any HPKE library can), and the import
 * that turns sealed material into a key version. The vault makes, keeps and destroys the job's
 * private key and decides every import (kms import-jobs.ts); these routes validate input and name
 * the operation for the policy stage (plan rule `plan_import`: pro and enterprise).
 */
import * as z from "zod";
import { route } from "../http/route-spec.ts";
import { callKms } from "../kms/client.ts";
import { bytes, KeyParam, LIMITS } from "./inputs.ts";
import { base64Field, IdParam, KeySchema } from "./schemas.ts";

const WRAPPING_ALGORITHMS = ["ML-KEM-768", "X-Wing"] as const;

/** Sealed material: X-Wing's 1120-byte enc, the largest stored secret (128 bytes, HMAC-SHA-512) and the tag fit with room. */
const MAX_WRAPPED_BYTES = 4096;
/** The largest SPKI of a signature public key (ML-DSA-87: 2592 bytes raw) fits with room. */
const MAX_PUBLIC_KEY_BYTES = 4096;

const timestamp = (what: string) => z.iso.datetime().describe(`${what} (RFC 3339, UTC)`);

const CreateImportJob = z.strictObject({
  wrapping_algorithm: z.enum(WRAPPING_ALGORITHMS).describe("The KEM the job's key pair uses: ML-KEM-768 (FIPS 203) or X-Wing (ML-KEM-768 + X25519)"),
});

const ImportKey = z.strictObject({
  import_job_id: z.uuid({ message: "must be a UUID" }).describe("The import job the material was sealed to (single use)"),
  wrapped_material: bytes(MAX_WRAPPED_BYTES, 1).describe(
    base64Field(
      "enc ‖ ct of RFC 9180 base-mode single-shot Seal to the job's public key, with the job KEM's envelope suite (ML-KEM-768: 0x0041/0x0001/0x0002; X-Wing: 0x647a/0x0001/0x0002), info = ASCII \"pqkms import v1\" ‖ the job id's 16 bytes, aad = ASCII name of the key's algorithm; the plaintext is the algorithm's stored secret",
      MAX_WRAPPED_BYTES,
      1,
    ),
  ),
  expected_public_key: bytes(MAX_PUBLIC_KEY_BYTES, 1)
    .optional()
    .describe(base64Field("The public key the material must yield: raw (the standard's encoding) or SPKI (DER); a mismatch imports nothing", MAX_PUBLIC_KEY_BYTES, 1)),
});

const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50).describe(`Jobs per page, 1–${LIMITS.pageSize}`),
  cursor: z.uuid({ message: "must be a cursor this API issued" }).optional().describe("The next_cursor of the previous page"),
});

export const ImportJobSchema = z
  .object({
    id: z.uuid().describe("The job's id; its 16 bytes are part of the HPKE info"),
    wrapping_algorithm: z.enum(WRAPPING_ALGORITHMS).describe("The KEM of the job's key pair"),
    public_key: z
      .object({
        raw: z.string().describe("The public key in the standard's encoding, base64 (RFC 4648 §4)"),
        spki: z.string().describe("SubjectPublicKeyInfo (DER), base64 (RFC 4648 §4)"),
        pem: z.string().describe("SubjectPublicKeyInfo as PEM text"),
        jwk: z
          .object({
            kty: z.literal("AKP").describe("Key type: Algorithm Key Pair"),
            alg: z.string().describe("The JOSE algorithm name, e.g. ML-KEM-768"),
            pub: z.string().describe("The public key, base64url (RFC 4648 §5) without padding"),
            kid: z.string().describe("Key id"),
          })
          .nullable()
          .describe("JWK (AKP), or null where no specification defines one (X-Wing)"),
      })
      .describe("The job's public key in every format: seal the material to it"),
    state: z.enum(["active", "used", "expired"]).describe("active until its one import or its expiry; then its private key is destroyed"),
    created_at: timestamp("When the job was created"),
    expires_at: timestamp("When the job's private key is destroyed unless used before: 24 hours after creation"),
    used_at: z.iso.datetime().nullable().describe("When the job's import was made (RFC 3339, UTC), or null"),
    key_id: z.uuid().nullable().describe("The key the job's import went to, or null"),
    key_version: z.number().int().nullable().describe("The version that import made, or null"),
  })
  .meta({ id: "ImportJob", description: "An import job: a public key to seal key material to. Its private key never leaves the service." });

const ImportJobPageSchema = z
  .object({
    import_jobs: z.array(ImportJobSchema).describe("Jobs, newest first"),
    next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page"),
  })
  .meta({ id: "ImportJobPage", description: "A page of import jobs" });

export const importRoutes = [
  route({
    method: "post",
    path: "/v1/import-jobs",
    summary: "Create an import job: an ML-KEM-768 or X-Wing public key to seal key material to, for 24 hours, once",
    operationId: "createImportJob",
    tag: "keys",
    access: { kind: "tenant", operation: "import-jobs.create", algorithm: ({ body }) => body.wrapping_algorithm },
    body: CreateImportJob,
    errors: ["plan_restricted"],
    responses: { 201: { description: "Created", schema: ImportJobSchema } },
    handler: async (c, { body, call }) => {
      return c.json(await callKms(() => c.env.KMS.createImportJob(call, body.wrapping_algorithm)), 201);
    },
  }),
  route({
    method: "get",
    path: "/v1/import-jobs",
    summary: "List import jobs, newest first",
    operationId: "listImportJobs",
    tag: "keys",
    access: { kind: "tenant", operation: "import-jobs.list" },
    query: ListQuery,
    errors: ["plan_restricted"],
    responses: { 200: { description: "A page of import jobs", schema: ImportJobPageSchema } },
    handler: async (c, { query, call }) => {
      return c.json(await callKms(() => c.env.KMS.listImportJobs(call, query)));
    },
  }),
  route({
    method: "get",
    path: "/v1/import-jobs/:id",
    summary: "Get an import job",
    operationId: "getImportJob",
    tag: "keys",
    access: { kind: "tenant", operation: "import-jobs.get" },
    params: IdParam,
    errors: ["import_job_not_found", "plan_restricted"],
    responses: { 200: { description: "The import job", schema: ImportJobSchema } },
    handler: async (c, { params, call }) => {
      return c.json(await callKms(() => c.env.KMS.getImportJob(call, params.id)));
    },
  }),
  route({
    method: "post",
    path: "/v1/keys/:key/import",
    summary: "Import key material sealed to an import job: version 1 of a pending_import key, then each next version",
    operationId: "importKey",
    tag: "keys",
    access: { kind: "tenant", operation: "keys.import", keyParam: "key" },
    params: KeyParam,
    body: ImportKey,
    errors: ["import_job_not_found", "import_job_gone", "conflict", "key_disabled", "plan_restricted"],
    responses: { 200: { description: "The key, with its new primary version", schema: KeySchema } },
    handler: async (c, { body, call, keyId }) => {
      const input = { importJobId: body.import_job_id, wrappedMaterial: body.wrapped_material, expectedPublicKey: body.expected_public_key ?? null };
      return c.json(await callKms(() => c.env.KMS.importKey(call, keyId, input)));
    },
  }),
];
