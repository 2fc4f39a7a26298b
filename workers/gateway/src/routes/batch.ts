/**
 * Batches (architecture §5): up to 100 items of one crypto operation on one key, in one request.
 * Each item is exactly the single route's body (crypto.ts's schemas) and is answered in order with
 * that route's response fields and `ok: true`, or `ok: false` with its failure; one bad item never
 * fails the others. The request is the operation its body names (scope, policy, audit), and each
 * item is one unit of the rate limit and quota (pipeline/policy.ts). The vault runs the valid items
 * in one call and writes their audit rows in one transaction, one row per item.
 */
import * as z from "zod";
import { toBase64 } from "../../../shared/base64.ts";
import type { Result } from "../../../shared/errors.ts";
import type { BatchOperation, BatchRequest } from "../../../shared/rpc.ts";
import { describeIssues } from "../http/input.ts";
import { route } from "../http/route-spec.ts";
import { callKms } from "../kms/client.ts";
import { Decrypt, EMPTY, Encrypt, Mac, Sign, signInput, Verify, VerifyMac } from "./crypto.ts";
import { KeyParam } from "./inputs.ts";

export const MAX_BATCH_ITEMS = 100;

/** Each operation's item schema and its wire form for the vault. */
const ITEMS = {
  encrypt: { schema: Encrypt, wire: (b: z.output<typeof Encrypt>) => ({ plaintext: b.plaintext, aad: b.aad ?? EMPTY }) },
  decrypt: { schema: Decrypt, wire: (b: z.output<typeof Decrypt>) => ({ ciphertext: b.ciphertext, aad: b.aad ?? EMPTY }) },
  sign: { schema: Sign, wire: (b: z.output<typeof Sign>) => signInput(b) },
  verify: { schema: Verify, wire: (b: z.output<typeof Verify>) => ({ input: signInput(b), signature: b.signature, version: b.key_version ?? null }) },
  mac: { schema: Mac, wire: (b: z.output<typeof Mac>) => ({ message: b.message }) },
  "verify-mac": { schema: VerifyMac, wire: (b: z.output<typeof VerifyMac>) => ({ message: b.message, mac: b.mac, version: b.key_version ?? null }) },
} as const satisfies Record<BatchOperation, { schema: z.ZodType; wire: (body: never) => unknown }>;

const BATCH_OPERATIONS = Object.keys(ITEMS) as [BatchOperation, ...BatchOperation[]];

const Batch = z.strictObject({
  operation: z.enum(BATCH_OPERATIONS).describe("The operation every item performs"),
  items: z
    .array(z.unknown())
    .min(1)
    .max(MAX_BATCH_ITEMS)
    .describe(`1 to ${MAX_BATCH_ITEMS} items, each the body of that operation's own route (e.g. POST /v1/keys/{key}/encrypt)`),
});

const ItemResult = z.union([
  // Each operation's own answer, closed: no field beyond the single route's can appear.
  z
    .object({
      ok: z.literal(true).describe("The item was done"),
      key_version: z.number().int().describe("The key version used"),
      ciphertext: z.string().optional().describe("encrypt: the envelope, base64"),
      plaintext: z.string().optional().describe("decrypt: the plaintext, base64"),
      signature: z.string().optional().describe("sign: the signature, base64"),
      mac: z.string().optional().describe("mac: the tag, base64"),
      valid: z.boolean().optional().describe("verify, verify-mac: whether it holds"),
    })
    .describe("The single route's response fields"),
  z
    .object({
      ok: z.literal(false).describe("The item was not done"),
      code: z.string().describe("Its error code (the single route's), e.g. invalid_request or key_disabled"),
      detail: z.string().optional().describe("What was wrong, naming items[i].field for invalid input"),
    })
    .describe("This item's failure; the others are unaffected"),
]);
const BatchResultSchema = z
  .object({
    operation: z.enum(BATCH_OPERATIONS).describe("The operation every item performed"),
    results: z.array(ItemResult).describe("One result per item, in order"),
  })
  .meta({ id: "BatchResult", description: "A batch's results" });

type ItemAnswer = { ok: true } & Record<string, unknown>;
type ItemFailure = { ok: false; code: string; detail?: string };

/** The single route's response fields: binary values in base64, the rest as they are. */
function answer(value: Record<string, Uint8Array | number | boolean>): ItemAnswer {
  const fields = Object.entries(value).map(([name, field]) => [name, field instanceof Uint8Array ? toBase64(field) : field] as const);
  return { ok: true, ...Object.fromEntries(fields) };
}

function failure(result: Result<unknown>): ItemFailure {
  if (result.ok) throw new TypeError("expected a failure");
  const { code, detail } = result.error;
  return detail === undefined ? { ok: false, code } : { ok: false, code, detail };
}

export const batchRoutes = [
  route({
    method: "post",
    path: "/v1/keys/:key/batch",
    summary: "Up to 100 encrypt, decrypt, sign, verify, mac or verify-mac items on one key, answered item by item",
    operationId: "batch",
    tag: "crypto",
    access: {
      kind: "tenant",
      operation: "crypto.batch",
      keyParam: "key",
      batch: ({ body }) => ({ operation: `crypto.${body.operation}`, items: body.items.length }),
    },
    params: KeyParam,
    body: Batch,
    errors: ["plan_restricted"],
    responses: { 200: { description: "One result per item, in order", schema: BatchResultSchema } },
    handler: async (c, { body, call, keyId }) => {
      const { schema, wire } = ITEMS[body.operation];
      const checked = body.items.map((item, i) => {
        const parsed = schema.safeParse(item);
        if (parsed.success) return { ok: true as const, item: (wire as (b: unknown) => unknown)(parsed.data) };
        return { ok: false as const, code: "invalid_request", detail: describeIssues(`items[${i}]`, parsed.error) };
      });
      const valid = checked.flatMap((entry) => (entry.ok ? [entry.item] : []));
      // The item types follow from `operation` through ITEMS; TypeScript cannot correlate the two.
      const request = { operation: body.operation, items: valid } as BatchRequest;
      const outcomes = valid.length === 0 ? [] : await callKms(() => c.env.KMS.batch(call, keyId, request));
      if (outcomes.length !== valid.length) throw new TypeError("the vault answered a different number of items");
      let next = 0;
      const results = checked.map((entry) => {
        if (!entry.ok) return { ok: false as const, code: entry.code, detail: entry.detail };
        const outcome = outcomes[next++] as Result<Record<string, Uint8Array | number | boolean>>;
        return outcome.ok ? answer(outcome.value) : failure(outcome);
      });
      return c.json({ operation: body.operation, results });
    },
  }),
];
