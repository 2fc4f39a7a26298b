/**
 * Bad input on every key and crypto route that takes a body or a query (architecture §5, §6): whatever
 * the JSON — wrong types, out-of-range numbers, huge strings, bad base64, non-objects, not JSON at
 * all — the answer is a 400 problem naming what was wrong (413 when the body is over 1 MiB), never a 5xx, and the vault is untouched:
 * no key, version or audit event changes, because nothing invalid gets past the gateway.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { KEY_ALGORITHM_NAMES } from "../../workers/shared/algorithms.ts";
import { request, type TestTenant } from "./helpers.ts";
import { createKey, ok, roomyTenant, toBase64, type KeyView } from "./kms-helpers.ts";

type Field = { valid: fc.Arbitrary<unknown>; invalid: fc.Arbitrary<unknown> };

/** Stands for a string longer than any field allows (500 000 base64 characters), expanded when sent so that failure reports stay short. */
const HUGE = "<huge>";
const expand = (body: string) => body.replaceAll(`"${HUGE}"`, `"${"A".repeat(500_000)}"`);
const notObjectOrNull = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.string(), fc.array(fc.jsonValue(), { maxLength: 3 }));
const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.jsonValue(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }));

/** A base64 field of `min`–`max` bytes. */
function base64(min: number, max: number): Field {
  const valid = fc.uint8Array({ minLength: min, maxLength: Math.min(max, 128) }).map(toBase64);
  const badAlphabet = fc.tuple(valid, fc.nat(), fc.constantFrom("!", " ", "*", "\n", "é", "+_")).map(([s, at, c]) => s.slice(0, at % (s.length + 1)) + c + s.slice(at % (s.length + 1)));
  const badShape = fc.constantFrom("A", "=", "Q===", "AB==", "QUJD=");
  // Over-long values of large fields are covered by HUGE; small fields get one just past the limit.
  const wrongLength = [
    ...(min > 0 ? [fc.uint8Array({ maxLength: min - 1 }).map(toBase64)] : []),
    ...(max < 4096 ? [fc.uint8Array({ minLength: max + 1, maxLength: max + 64 }).map(toBase64)] : []),
  ];
  return { valid, invalid: fc.oneof(wrongType, fc.constant(null), badAlphabet, badShape, fc.constant(HUGE), ...wrongLength) };
}

function integer(min: number, max: number): Field {
  const outside = fc.oneof(fc.integer({ max: min - 1 }), fc.integer({ min: max + 1 }));
  const fractional = fc.integer({ min, max }).map((x) => x + 0.5);
  const asText = fc.integer({ min, max }).map(String);
  return { valid: fc.integer({ min, max }), invalid: fc.oneof(outside, fractional, asText, fc.constant(null), fc.boolean(), fc.constant([min])) };
}

/** A text field; `required` text must have a non-blank value (names), other text may be empty (descriptions). */
const text = (max: number, options: { nullable: boolean; blankAllowed: boolean }): Field => ({
  valid: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ""),
  invalid: fc.oneof(
    fc.constant("x".repeat(max + 1)),
    wrongType,
    ...(options.blankAllowed ? [] : [fc.constantFrom("", "   ")]),
    ...(options.nullable ? [] : [fc.constant(null)]),
  ),
});
const name = (nullable: boolean) => text(200, { nullable, blankAllowed: false });
const description = (nullable: boolean) => text(2000, { nullable, blankAllowed: true });

/** `rotation_period`: ISO 8601 periods of one day to ten years; `nullable` on PATCH, where null removes it. */
const rotationPeriod = (nullable: boolean): Field => ({
  valid: fc.constantFrom("P30D", "P1Y", "P6M", "PT24H", "P1Y2M10DT2H", "P2W", ...(nullable ? [null] : [])),
  invalid: fc.oneof(
    fc.constantFrom("PT1H", "P1W2D", "P10Y1D", "P", "PT", "30d", "p30d", "P1.5D", "-P1D", "", `P${"1".repeat(40)}D`),
    wrongType,
    ...(nullable ? [] : [fc.constant(null)]),
  ),
});
const keepVersions = (nullable: boolean): Field => {
  const { valid, invalid } = integer(1, 100);
  return nullable ? { valid: fc.oneof(valid, fc.constant(null)), invalid: invalid.filter((v) => v !== null) } : { valid, invalid };
};

const labels: Field = {
  valid: fc.constant({ team: "a" }),
  invalid: fc.oneof(
    fc.constantFrom({ Team: "a" }, { "1x": "a" }, { "": "a" }, { team: 1 }, { team: null }, { team: "v".repeat(256) }),
    fc.constant(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`l${i}`, "v"]))),
    notObjectOrNull,
    fc.constant(null),
  ),
};

const algorithm: Field = {
  valid: fc.constantFrom(...KEY_ALGORITHM_NAMES),
  invalid: fc.oneof(fc.string().filter((s) => !(KEY_ALGORITHM_NAMES as readonly string[]).includes(s)), fc.constantFrom("ml-kem-768", "RSA-2048"), wrongType, fc.constant(null)),
};

/** A body with every field absent, valid or invalid, and at least one invalid; plus unknown extras. */
function badObject(fields: Record<string, Field>): fc.Arbitrary<unknown> {
  const names = Object.keys(fields);
  const choice = (name: string) => fc.constantFrom("absent", "valid", "invalid").map((c) => [name, c] as const);
  return fc
    .tuple(fc.tuple(...names.map(choice)), fc.constantFrom(...names))
    .chain(([choices, forced]) => {
      const entries = choices.map(([name, c]) => {
        const field = fields[name] as Field;
        const kind = name === forced ? "invalid" : c;
        return kind === "absent" ? fc.constant(undefined) : (kind === "valid" ? field.valid : field.invalid).map((v) => [name, v] as const);
      });
      return fc.tuple(fc.tuple(...entries), fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => !names.includes(k)), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }));
    })
    .map(([entries, extra]) => ({ ...extra, ...Object.fromEntries(entries.filter((e) => e !== undefined)) }));
}

/** Every body that must be refused: bad objects, JSON that is not an object, and text that is not JSON. */
const badBody = (fields: Record<string, Field>) =>
  fc.oneof(
    { weight: 6, arbitrary: badObject(fields).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: notObjectOrNull.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom("{", "nope", "{\"a\":", "[1,", "\u0000", "{'single': 1}") },
  );

const ROUTES: { method: string; path: (kem: string, dsa: string) => string; fields: Record<string, Field> }[] = [
  { method: "POST", path: () => "/v1/keys", fields: { algorithm, name: name(false), description: description(false), labels, deletion_window_days: integer(7, 30), rotation_period: rotationPeriod(false), keep_decryption_versions: keepVersions(false) } },
  { method: "PATCH", path: (kem) => `/v1/keys/${kem}`, fields: { name: name(true), description: description(true), labels, min_decryption_version: integer(1, 1), rotation_period: rotationPeriod(true), keep_decryption_versions: keepVersions(true) } },
  { method: "POST", path: (kem) => `/v1/keys/${kem}/schedule-deletion`, fields: { days: integer(7, 30) } },
  { method: "POST", path: (kem) => `/v1/keys/${kem}/encrypt`, fields: { plaintext: base64(0, 256 * 1024), aad: base64(0, 8 * 1024) } },
  { method: "POST", path: (kem) => `/v1/keys/${kem}/decrypt`, fields: { ciphertext: base64(1, 300 * 1024), aad: base64(0, 8 * 1024) } },
  { method: "POST", path: (kem) => `/v1/keys/${kem}/decapsulate`, fields: { ciphertext: base64(1, 300 * 1024), key_version: integer(1, 1_000_000) } },
  { method: "POST", path: (_kem, dsa) => `/v1/keys/${dsa}/sign`, fields: { message: base64(0, 256 * 1024), mu: base64(64, 64), context: base64(0, 255) } },
  { method: "POST", path: (_kem, dsa) => `/v1/keys/${dsa}/verify`, fields: { message: base64(0, 256 * 1024), mu: base64(64, 64), context: base64(0, 255), signature: base64(1, 8 * 1024), key_version: integer(1, 1_000_000) } },
];

let tenant: TestTenant;
let kem: KeyView;
let dsa: KeyView;

/** Everything the vault holds that bad input must not change: keys with their versions, and the audit chain. */
async function vaultState() {
  const keys = await ok<{ keys: KeyView[] }>(tenant, "GET", "/v1/keys?limit=100");
  const audit = await ok<{ events: unknown[] }>(tenant, "GET", "/v1/audit-events?limit=100");
  return { keys: keys.keys, audit: audit.events };
}

beforeAll(async () => {
  tenant = await roomyTenant("fuzz");
  kem = await createKey(tenant, { algorithm: "ML-KEM-768" });
  dsa = await createKey(tenant, { algorithm: "ML-DSA-44" });
});

async function expectRefused(method: string, path: string, body: string | undefined): Promise<void> {
  const response = await request(method, path, { token: tenant.token, ...(body === undefined ? {} : { body: expand(body) }) });
  const problem = (await response.json()) as { code?: string; detail?: string };
  // Several huge fields together exceed the 1 MiB body limit before any field is looked at: 413.
  const refusal = expect.toBeOneOf(["400 invalid_request", "400 invalid_json", "413 payload_too_large"]);
  expect({ method, path, body: body?.slice(0, 200), answer: `${response.status} ${problem.code}` }).toEqual({ method, path, body: body?.slice(0, 200), answer: refusal });
  if (problem.code === "invalid_request") expect(problem.detail).toMatch(/^(body|query)\b/);
}

describe("bad input", () => {
  it.each(ROUTES.map((r) => [`${r.method} ${r.path(":kem", ":dsa")}`, r] as const))("%s: always 400, vault untouched", async (_name, route) => {
    const before = await vaultState();
    await fc.assert(
      fc.asyncProperty(badBody(route.fields), (body) => expectRefused(route.method, route.path(kem.id, dsa.id), body)),
      { numRuns: 40 },
    );
    expect(await vaultState()).toEqual(before);
  });

  it("bad query parameters on list, public-key and audit routes: 200 or 400, never 5xx", async () => {
    const before = await vaultState();
    const value = fc.oneof(fc.constantFrom("", "-1", "0", "1e3", "101", "abc", "ML-KEM", "enabled;drop", "%00", "999999999999999999999"), fc.string({ maxLength: 12 }));
    const queries = fc.oneof(
      fc.tuple(fc.constantFrom("limit", "algorithm", "state"), value).map(([k, v]) => `/v1/keys?${k}=${encodeURIComponent(v)}`),
      fc.tuple(fc.constantFrom("version", "format"), value).map(([k, v]) => `/v1/keys/${kem.id}/public-key?${k}=${encodeURIComponent(v)}`),
      fc.tuple(fc.constantFrom("limit", "cursor", "outcome", "key_id", "from", "to"), value).map(([k, v]) => `/v1/audit-events?${k}=${encodeURIComponent(v)}`),
    );
    await fc.assert(
      fc.asyncProperty(queries, async (path) => {
        const response = await request("GET", path, { token: tenant.token });
        // A value that happens to be valid (an empty string, "abc" as an opaque filter) answers 200; nothing answers 5xx.
        expect({ path, status: response.status }).toEqual({ path, status: expect.toBeOneOf([200, 400]) });
      }),
      { numRuns: 60 },
    );
    expect(await vaultState()).toEqual(before);
  });
});
