/**
 * No route can carry private key material out (architecture §5: "no endpoint, flag or admin path returns
 * private key material"). Two proofs: the published contract — every response schema of every
 * route in /openapi.json has only closed objects, none with a field named like a secret — and the
 * answers themselves — for a key of every algorithm, get, list, rotate and every public-key format
 * answer exactly the documented fields, and the public key is exactly the standard's public key (a
 * symmetric key has none to give).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ALGORITHMS, hasPublicKey } from "../../workers/kms/src/crypto/algorithms.ts";
import { PUBLIC_KEY_FORMATS, publicKeyFormats } from "../../workers/kms/src/crypto/public-key-formats.ts";
import { fromBase64, toBase64Url } from "../../workers/shared/base64.ts";
import { KEY_ALGORITHM_NAMES } from "../../workers/shared/algorithms.ts";
import { json, request, type TestTenant } from "./helpers.ts";
import { api, bytes, createKey, ok, roomyTenant, type KeyView } from "./kms-helpers.ts";

type Schema = { [key: string]: unknown };
type Operation = { responses: Record<string, { content?: Record<string, { schema: Schema }> }> };

const SECRET_NAME = /secret|private|priv|seed|wrapped|^d$|^sk$|^dk$|kek|password/i;

/**
 * Named fields that match SECRET_NAME on purpose. `shared_secret` is the KEM shared key the caller
 * asked for (FIPS 203 §3.1 K, fresh per call), not material of the stored key; `token` is absent
 * from the pattern because an API key is shown once at creation by design (architecture §2).
 */
const ALLOWED = new Set(["POST /v1/keys/{key}/encapsulate shared_secret", "POST /v1/keys/{key}/decapsulate shared_secret"]);

/** Open objects that may carry any member: a key's labels (the tenant's own strings, never written by the vault). */
const FREE_FORM_ALLOWED = /^labels$/;

/** Every (property path, problem) in a response schema: secret-like names and open objects. */
function findings(schema: unknown, path: string[] = []): string[] {
  if (typeof schema !== "object" || schema === null) return [];
  const node = schema as Schema;
  const out: string[] = [];
  const here = path.join(".");
  const properties = (node.properties ?? {}) as Record<string, unknown>;
  for (const [name, child] of Object.entries(properties)) {
    if (SECRET_NAME.test(name)) out.push(`${[...path, name].join(".")} is named like a secret`);
    out.push(...findings(child, [...path, name]));
  }
  const isObject = node.type === "object" || "properties" in node || "additionalProperties" in node;
  if (isObject && node.additionalProperties !== false && !FREE_FORM_ALLOWED.test(path[path.length - 1] ?? "")) {
    out.push(`${here || "(root)"} is an open object`);
  }
  if (Object.keys(node).filter((k) => k !== "$schema" && k !== "description").length === 0) out.push(`${here || "(root)"} is an unconstrained schema`);
  for (const key of ["items", "anyOf", "oneOf", "allOf", "prefixItems", "$defs", "not"]) {
    const child = node[key];
    if (Array.isArray(child)) child.forEach((c) => out.push(...findings(c, path)));
    else if (child && typeof child === "object") out.push(...findings(key === "$defs" ? Object.values(child) : child, path));
  }
  return out;
}

/** The schema with every `#/components/schemas/…` reference replaced by the schema it names. */
function inlineRefs(schema: unknown, components: Record<string, Schema>): unknown {
  if (Array.isArray(schema)) return schema.map((s) => inlineRefs(s, components));
  if (typeof schema !== "object" || schema === null) return schema;
  const { $ref, ...rest } = schema as Schema;
  const target = typeof $ref === "string" ? components[$ref.replace("#/components/schemas/", "")] : undefined;
  if (typeof $ref === "string") expect(target, $ref).toBeDefined();
  const own = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, inlineRefs(v, components)]));
  return target ? { ...(inlineRefs(target, components) as Schema), ...own } : own;
}

describe("the published contract (/openapi.json)", () => {
  it("has no response field that could carry private key material, on any route", async () => {
    const doc = await json<{ paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } }>(
      await request("GET", "/openapi.json"),
    );
    const problems: string[] = [];
    const allowedSeen = new Set<string>();
    let schemas = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const { schema } of Object.values(response.content ?? {})) {
            schemas++;
            const where = `${method.toUpperCase()} ${path}`;
            for (const finding of findings(inlineRefs(schema, doc.components.schemas))) {
              const field = finding.split(" ")[0] ?? "";
              if (ALLOWED.has(`${where} ${field}`)) allowedSeen.add(`${where} ${field}`);
              else problems.push(`${where} ${status}: ${finding}`);
            }
          }
        }
      }
    }
    expect(schemas).toBeGreaterThan(40);
    expect(problems).toEqual([]);
    // The walk reached the fields it lets through: the allow-list is neither stale nor unreachable.
    expect([...allowedSeen].sort()).toEqual([...ALLOWED].sort());
  });

  it("the pattern would catch a secret field", () => {
    expect(findings({ type: "object", properties: { seed: { type: "string" } }, additionalProperties: false })).toEqual(["seed is named like a secret"]);
    expect(findings({ type: "object", properties: { a: { type: "object" } }, additionalProperties: false })).toEqual(["a is an open object"]);
    expect(findings({ type: "object", properties: { a: {} }, additionalProperties: false })).toEqual(["a is an unconstrained schema"]);
  });
});

const KEY_FIELDS = [
  "id", "name", "description", "labels", "algorithm", "purpose", "state", "origin", "primary_version", "min_decryption_version",
  "deletion_window_days", "versions", "created_at", "updated_at", "deletion_date",
  "rotation_period", "next_rotation_at", "keep_decryption_versions",
].sort();

function expectDocumentedKey(key: KeyView): void {
  expect(Object.keys(key).sort()).toEqual(KEY_FIELDS);
  for (const version of key.versions) expect(Object.keys(version).sort()).toEqual(["created_at", "destruction_date", "last_used_at", "state", "version"]);
  for (const value of Object.values(key.labels)) expect(typeof value).toBe("string");
}

describe("what the key routes answer, for every algorithm", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await roomyTenant();
  });

  it.each(KEY_ALGORITHM_NAMES)("%s: key views have only documented fields; public keys are only the public key", async (algorithm) => {
    const created = await createKey(tenant, { algorithm, labels: { k: "v" } });
    const listed = await ok<{ keys: KeyView[]; next_cursor: string | null }>(tenant, "GET", "/v1/keys?limit=100");
    expect(Object.keys(listed).sort()).toEqual(["keys", "next_cursor"]);
    for (const key of [created, await ok<KeyView>(tenant, "GET", `/v1/keys/${created.id}`), ...listed.keys]) expectDocumentedKey(key);

    const spec = ALGORITHMS[algorithm];
    const formats = publicKeyFormats(algorithm);
    const answers: Record<string, Record<string, unknown>> = {};
    for (const format of PUBLIC_KEY_FORMATS) {
      const answer = await api<Record<string, unknown>>(tenant, "GET", `/v1/keys/${created.id}/public-key?format=${format}`);
      if (!formats.includes(format)) {
        // No standard encoding (a symmetric key has no public key at all): refused, nothing improvised.
        expect(answer).toMatchObject({ status: 400, body: { code: "unsupported_operation" } });
        continue;
      }
      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body).sort()).toEqual(["algorithm", "format", "key_id", "public_key", "version"]);
      expect(answer.body).toMatchObject({ key_id: created.id, version: 1, algorithm, format });
      answers[format] = answer.body;
    }
    if (!hasPublicKey(spec)) {
      expect(formats).toEqual([]);
      return;
    }
    const publicKey = bytes(String(answers.raw?.public_key));
    expect(publicKey.length).toBe(spec.publicKeyLength);
    // SPKI = AlgorithmIdentifier header + BIT STRING of exactly the raw key (RFC 5280 §4.1).
    const der = bytes(String(answers.spki?.public_key));
    expect(der.length - publicKey.length).toBeLessThanOrEqual(24);
    expect(der.subarray(der.length - publicKey.length)).toEqual(publicKey);
    const pemBody = String(answers.pem?.public_key).replace(/-----(BEGIN|END) PUBLIC KEY-----|\s/g, "");
    expect(fromBase64(pemBody)).toEqual(der);
    if (answers.jwk) {
      const jwk = answers.jwk.public_key as Record<string, string>;
      expect(Object.keys(jwk).sort()).toEqual(["alg", "kid", "kty", "pub"]);
      expect(jwk).toMatchObject({ kty: "AKP", alg: spec.jwkAlg, pub: toBase64Url(publicKey) });
    }
  });
});
