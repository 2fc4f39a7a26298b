/**
 * The offline functions against the running service (the three Workers in wrangler's test
 * harness): what `seal` writes to a public key fetched in each format, the service's
 * `POST /v1/keys/{key}/decrypt` opens (with and without aad; another aad fails), for every KEM; what
 * the service signs, `verify` accepts offline for every signature algorithm, context included, and
 * refuses once message, signature or context change.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { b64, expectProblem, unb64, useTenant, type PublicKeyAnswer } from "../../../../test/node/interop/harness.ts";
import { parsePublicKey, seal, verify } from "../../src/index.ts";

const tenant = useTenant("offline-client");
const plaintext = new TextEncoder().encode("sealed offline with only a public key");
const aad = new TextEncoder().encode("order:4711");

/** The formats the service serves per algorithm: no JWK where no specification defines one. */
function formats(algorithm: string): string[] {
  return algorithm === "X-Wing" || algorithm.startsWith("Composite") ? ["pem", "spki", "raw"] : ["pem", "spki", "jwk", "raw"];
}

async function answers(id: string, algorithm: string): Promise<PublicKeyAnswer<unknown>[]> {
  return Promise.all(formats(algorithm).map((format) => tenant.publicKey<unknown>(id, format)));
}

/** The bare key of an answer, as it would sit in a file: PEM text, SPKI DER bytes, a JWK object. */
function bareKey(answer: PublicKeyAnswer<unknown>) {
  if (answer.format === "spki") return unb64(answer.public_key as string);
  if (answer.format === "raw") return { algorithm: answer.algorithm, raw: unb64(answer.public_key as string) };
  return answer.public_key as string | Record<string, unknown>;
}

function decrypt(id: string, envelope: Uint8Array, withAad?: Uint8Array) {
  return tenant.api.request("POST", `/v1/keys/${id}/decrypt`, {
    auth: tenant.token,
    body: { ciphertext: b64(envelope), ...(withAad === undefined ? {} : { aad: b64(withAad) }) },
  });
}

async function expectOpens(id: string, envelope: Uint8Array, withAad: Uint8Array | undefined, version: number): Promise<void> {
  const response = await decrypt(id, envelope, withAad);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  const body = JSON.parse(text) as { plaintext: string; key_version: number };
  expect(body.key_version).toBe(version);
  expect(unb64(body.plaintext)).toEqual(plaintext);
}

describe.each(["ML-KEM-512", "ML-KEM-768", "ML-KEM-1024", "X-Wing"])("seal to a %s key; the service decrypts", (algorithm) => {
  let id: string;
  beforeAll(async () => {
    id = await tenant.createKey(algorithm, "encrypt");
  });

  it("from the endpoint's answer in every format, with aad; another aad or none is decrypt_failed", async () => {
    for (const answer of await answers(id, algorithm)) {
      const envelope = await seal(answer, plaintext, { aad });
      await expectOpens(id, envelope, aad, 1);
      await expectProblem(await decrypt(id, envelope, new TextEncoder().encode("order:4712")), 400, "decrypt_failed");
      await expectProblem(await decrypt(id, envelope), 400, "decrypt_failed");
    }
  });

  it("from the bare key in every format with { keyId, version }, without aad", async () => {
    for (const answer of await answers(id, algorithm)) {
      const envelope = await seal(bareKey(answer), plaintext, { keyId: id, version: 1 });
      await expectOpens(id, envelope, undefined, 1);
      await expectProblem(await decrypt(id, envelope, aad), 400, "decrypt_failed");
    }
  });

  it("the header is the one the service's own /encrypt writes", async () => {
    const [answer] = await answers(id, algorithm);
    const ours = await seal(answer!, plaintext, { aad });
    const theirs = unb64((await tenant.encrypt(id, plaintext, aad)).ciphertext);
    expect(ours.subarray(0, 31)).toEqual(theirs.subarray(0, 31));
    expect(ours.length).toBe(theirs.length);
  });
});

describe("seal after rotation", () => {
  it("an envelope sealed to version 1's public key still opens with version 1", async () => {
    const id = await tenant.createKey("ML-KEM-768", "encrypt");
    const version1 = await tenant.publicKey<string>(id, "pem");
    await tenant.api.call("POST", `/v1/keys/${id}/rotate`, { auth: tenant.token });
    const version2 = await tenant.publicKey<string>(id, "pem");
    expect(parsePublicKey(version2)).toMatchObject({ keyId: id, version: 2 });
    await expectOpens(id, await seal(version1, plaintext, { aad }), aad, 1);
    await expectOpens(id, await seal(version2, plaintext, { aad }), aad, 2);
  });
});

// SLH-DSA-SHA2-128s is left to independent.test.ts (OpenSSL's signatures, same verify code as
// 128f): its key generation and two signatures in the service cost tens of seconds of the suite.
const SIGNATURE_ALGORITHMS = ["ML-DSA-44", "ML-DSA-65", "ML-DSA-87", "SLH-DSA-SHA2-128f", "Composite-ML-DSA-65-P256"];

describe.each(SIGNATURE_ALGORITHMS)("the service signs with %s; verify offline agrees", (algorithm) => {
  const message = new TextEncoder().encode(`signed by the service with ${algorithm}`);
  const context = new TextEncoder().encode("invoice-v2");
  let id: string;
  let withContext: Uint8Array;
  let withoutContext: Uint8Array;
  beforeAll(async () => {
    id = await tenant.createKey(algorithm, "sign");
    withContext = (await tenant.sign(id, { message, context })).signature;
    withoutContext = (await tenant.sign(id, { message })).signature;
  }, 120_000);

  it("valid from the endpoint's answer and the bare key in every format, with and without context", async () => {
    for (const answer of await answers(id, algorithm)) {
      expect(await verify(answer, message, withContext, { context })).toBe(true);
      expect(await verify(bareKey(answer), message, withContext, { context })).toBe(true);
      expect(await verify(answer, message, withoutContext)).toBe(true);
    }
  });

  it("a changed message, signature or context is false", async () => {
    const [answer] = await answers(id, algorithm);
    const key = parsePublicKey(answer!);
    const otherMessage = Uint8Array.from(message);
    otherMessage[0]! ^= 1;
    const otherSignature = Uint8Array.from(withContext);
    otherSignature[100]! ^= 1;
    expect(await verify(key, otherMessage, withContext, { context })).toBe(false);
    expect(await verify(key, message, otherSignature, { context })).toBe(false);
    expect(await verify(key, message, withContext, { context: new TextEncoder().encode("invoice-v3") })).toBe(false);
    expect(await verify(key, message, withContext)).toBe(false);
    expect(await verify(key, message, withoutContext, { context })).toBe(false);
  });
});
