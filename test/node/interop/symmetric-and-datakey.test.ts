/**
 * Symmetric keys and data keys through the public API:
 * - AES-256-GCM and ChaCha20-Poly1305 envelopes follow the architecture §7 AEAD layout field by field, and
 *   survive rotation and rewrap; min_decryption_version retires the old envelope but not the
 *   rewrapped one. The symmetric key never leaves the service, so these envelopes cannot be opened
 *   here: their layout and their behaviour through the API are what is checked.
 * - /datakey on an ML-KEM-768 key: the returned plaintext data key is a working AES-256-GCM key for
 *   node:crypto, and /decrypt of the returned envelope gives back the same key.
 */
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { b64, expectProblem, flipBit, unb64, useTenant } from "./harness.ts";

const plaintext = Buffer.from("an AEAD envelope that outlives its key version");
const aad = Buffer.from("invoice:2024-0042");
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** "PQK" 0x01 | type | key id (16) | version u32 | alg_id u16. */
const AEAD_HEADER_BYTES = 3 + 1 + 1 + 16 + 4 + 2;
/** "PQK" 0x01 | type | key id (16) | version u32 | kem u16 | kdf u16 | aead u16. */
const HPKE_HEADER_BYTES = AEAD_HEADER_BYTES + 4;

const tenant = useTenant("symmetric-interop");

interface Envelope {
  ciphertext: string;
  key_version: number;
}

const createKey = (algorithm: string) => tenant.createKey(algorithm, "encrypt");

function post(id: string, operation: string, body: unknown) {
  return tenant.api.request("POST", `/v1/keys/${id}/${operation}`, { auth: tenant.token, body });
}

async function expectDecrypted(id: string, ciphertext: string, version: number, expected: Uint8Array = plaintext, withAad: Uint8Array = aad) {
  const response = await post(id, "decrypt", { ciphertext, aad: b64(withAad) });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  const body = JSON.parse(text) as { plaintext: string; key_version: number };
  expect(body.key_version).toBe(version);
  expect(Buffer.from(unb64(body.plaintext)).equals(expected)).toBe(true);
}

/** The architecture §7 envelope prefix shared by both types: "PQK" 0x01 | type | key id | version. */
function expectPrefix(envelope: Buffer, type: number, id: string, version: number): void {
  expect(envelope.subarray(0, 3).toString("latin1")).toBe("PQK");
  expect(envelope[3]).toBe(0x01);
  expect(envelope[4]).toBe(type);
  expect(envelope.subarray(5, 21).toString("hex")).toBe(id.replaceAll("-", ""));
  expect(envelope.readUInt32BE(21)).toBe(version);
}

describe.each([
  ["AES-256-GCM", 0x0001],
  ["ChaCha20-Poly1305", 0x0002],
] as const)("%s envelopes through the public API", (algorithm, algId) => {
  /** The AEAD envelope layout (architecture §7, type 0x02), field by field. */
  function expectAeadEnvelope(ciphertext: string, id: string, version: number): Buffer {
    const envelope = Buffer.from(unb64(ciphertext));
    expectPrefix(envelope, 0x02, id, version);
    expect(envelope.readUInt16BE(25)).toBe(algId);
    expect(envelope.length).toBe(AEAD_HEADER_BYTES + NONCE_BYTES + plaintext.length + TAG_BYTES);
    return envelope;
  }

  async function encrypt(id: string): Promise<Envelope> {
    return tenant.encrypt(id, plaintext, aad);
  }

  it("/encrypt gives the architecture §7 AEAD layout with a fresh nonce each time; /decrypt needs the same aad and an intact envelope", async () => {
    const id = await createKey(algorithm);
    const [a, b] = [await encrypt(id), await encrypt(id)];
    expect([a.key_version, b.key_version]).toEqual([1, 1]);
    const [ea, eb] = [expectAeadEnvelope(a.ciphertext, id, 1), expectAeadEnvelope(b.ciphertext, id, 1)];
    const nonce = (e: Buffer) => e.subarray(AEAD_HEADER_BYTES, AEAD_HEADER_BYTES + NONCE_BYTES);
    expect(nonce(ea).equals(nonce(eb))).toBe(false);
    await expectDecrypted(id, a.ciphertext, 1);
    await expectDecrypted(id, b.ciphertext, 1);

    const refused = async (envelope: Uint8Array, withAad: Uint8Array = aad) =>
      expectProblem(await post(id, "decrypt", { ciphertext: b64(envelope), aad: b64(withAad) }), 400, "decrypt_failed");
    await refused(ea, Buffer.from("invoice:2024-0043"));
    await refused(ea, new Uint8Array(0));
    await refused(flipBit(ea, AEAD_HEADER_BYTES)); // nonce
    await refused(flipBit(ea, AEAD_HEADER_BYTES + NONCE_BYTES)); // ciphertext
    await refused(flipBit(ea, ea.length - 1)); // tag
    // The other AEAD's alg_id: the header is authenticated (aad = header ‖ caller aad), so it fails.
    const otherAlg = Buffer.from(ea);
    otherAlg.writeUInt16BE(algId === 1 ? 2 : 1, 25);
    await refused(otherAlg);
    await refused(ea.subarray(0, ea.length - 1));
    // The same envelope on another key of the same algorithm.
    const other = await createKey(algorithm);
    await expectProblem(await post(other, "decrypt", { ciphertext: a.ciphertext, aad: b64(aad) }), 400, "decrypt_failed");
  });

  it("survives rotation and rewrap; min_decryption_version 2 refuses the v1 envelope but not the rewrapped one", async () => {
    const id = await createKey(algorithm);
    const v1 = await encrypt(id);
    expect(v1.key_version).toBe(1);

    const rotated = await tenant.api.call<{ primary_version: number }>("POST", `/v1/keys/${id}/rotate`, { auth: tenant.token });
    expect(rotated.primary_version).toBe(2);
    await expectDecrypted(id, v1.ciphertext, 1);

    const rewrapped = await tenant.api.call<Envelope & { source_version: number }>("POST", `/v1/keys/${id}/rewrap`, {
      auth: tenant.token,
      body: { ciphertext: v1.ciphertext, aad: b64(aad) },
    });
    expect(rewrapped.key_version).toBe(2);
    expect(rewrapped.source_version).toBe(1);
    expect(Object.keys(rewrapped).sort()).toEqual(["ciphertext", "key_version", "source_version"]);
    expectAeadEnvelope(rewrapped.ciphertext, id, 2);
    await expectDecrypted(id, rewrapped.ciphertext, 2);
    await expectDecrypted(id, v1.ciphertext, 1);
    // Rewrap checks the aad like decrypt does.
    await expectProblem(await post(id, "rewrap", { ciphertext: v1.ciphertext, aad: b64("other") }), 400, "decrypt_failed");
    // The rewrapped envelope is bound to the same caller aad.
    await expectProblem(await post(id, "decrypt", { ciphertext: rewrapped.ciphertext }), 400, "decrypt_failed");
    // New encryptions use version 2.
    expectAeadEnvelope((await encrypt(id)).ciphertext, id, 2);

    const patched = await tenant.api.call<{ min_decryption_version: number }>("PATCH", `/v1/keys/${id}`, {
      auth: tenant.token,
      body: { min_decryption_version: 2 },
    });
    expect(patched.min_decryption_version).toBe(2);
    await expectProblem(await post(id, "decrypt", { ciphertext: v1.ciphertext, aad: b64(aad) }), 409, "key_disabled");
    await expectProblem(await post(id, "rewrap", { ciphertext: v1.ciphertext, aad: b64(aad) }), 409, "key_disabled");
    await expectDecrypted(id, rewrapped.ciphertext, 2);
  });
});

describe("/datakey on an ML-KEM-768 key", () => {
  /** architecture §7 ML-KEM-768 suite and FIPS 203 ciphertext size; data keys are AES-256 (32 bytes). */
  const SUITE = { kemId: 0x0041, kdfId: 0x0001, aeadId: 0x0002 };
  const ML_KEM_768_CIPHERTEXT_BYTES = 1088;
  const DATA_KEY_BYTES = 32;
  const data = Buffer.from("customer records, encrypted locally with the data key");
  let id: string;

  beforeAll(async () => {
    id = await createKey("ML-KEM-768");
  });

  interface DataKey extends Envelope {
    algorithm: string;
    plaintext?: string;
  }

  it("the plaintext data key works with node:crypto AES-256-GCM, and /decrypt of its envelope gives the same key back", async () => {
    const out = await tenant.api.call<DataKey>("POST", `/v1/keys/${id}/datakey`, { auth: tenant.token, body: { plaintext: true } });
    expect(out).toMatchObject({ key_version: 1, algorithm: "AES-256-GCM" });
    if (out.plaintext === undefined) throw new Error("no plaintext data key");
    const dataKey = Buffer.from(unb64(out.plaintext));
    expect(dataKey.length).toBe(DATA_KEY_BYTES);

    // The caller encrypts its own data with the data key (node:crypto, AES-256-GCM)...
    const iv = crypto.randomBytes(NONCE_BYTES);
    const cipher = crypto.createCipheriv("aes-256-gcm", dataKey, iv);
    cipher.setAAD(aad);
    const sealed = Buffer.concat([cipher.update(data), cipher.final()]);
    const tag = cipher.getAuthTag();

    // ...keeps only the wrapped key, and later unwraps it through /decrypt to read the data.
    const envelope = Buffer.from(unb64(out.ciphertext));
    expectPrefix(envelope, 0x01, id, 1);
    expect([envelope.readUInt16BE(25), envelope.readUInt16BE(27), envelope.readUInt16BE(29)]).toEqual([SUITE.kemId, SUITE.kdfId, SUITE.aeadId]);
    expect(envelope.length).toBe(HPKE_HEADER_BYTES + ML_KEM_768_CIPHERTEXT_BYTES + DATA_KEY_BYTES + TAG_BYTES);
    const unwrapped = await tenant.api.call<{ plaintext: string; key_version: number }>("POST", `/v1/keys/${id}/decrypt`, {
      auth: tenant.token,
      body: { ciphertext: out.ciphertext },
    });
    expect(unwrapped.key_version).toBe(1);
    const recovered = Buffer.from(unb64(unwrapped.plaintext));
    expect(recovered.equals(dataKey)).toBe(true);

    const decipher = crypto.createDecipheriv("aes-256-gcm", recovered, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    expect(Buffer.concat([decipher.update(sealed), decipher.final()]).equals(data)).toBe(true);
  });

  it("without plaintext: true only the envelope is returned; data keys are fresh; a datakey aad binds the envelope", async () => {
    const wrappedOnly = await tenant.api.call<DataKey>("POST", `/v1/keys/${id}/datakey`, { auth: tenant.token, body: {} });
    expect(Object.keys(wrappedOnly).sort()).toEqual(["algorithm", "ciphertext", "key_version"]);
    const first = await tenant.api.call<{ plaintext: string }>("POST", `/v1/keys/${id}/decrypt`, { auth: tenant.token, body: { ciphertext: wrappedOnly.ciphertext } });
    expect(unb64(first.plaintext).length).toBe(DATA_KEY_BYTES);

    const bound = await tenant.api.call<DataKey>("POST", `/v1/keys/${id}/datakey`, { auth: tenant.token, body: { plaintext: true, aad: b64(aad) } });
    if (bound.plaintext === undefined) throw new Error("no plaintext data key");
    expect(bound.plaintext).not.toBe(first.plaintext);
    await expectDecrypted(id, bound.ciphertext, 1, unb64(bound.plaintext), aad);
    await expectProblem(await post(id, "decrypt", { ciphertext: bound.ciphertext }), 400, "decrypt_failed");
  });

  it("a data key wrapped by version 1 still unwraps after rotation, and rewraps to version 2", async () => {
    const key = await createKey("ML-KEM-768");
    const out = await tenant.api.call<DataKey>("POST", `/v1/keys/${key}/datakey`, { auth: tenant.token, body: { plaintext: true } });
    if (out.plaintext === undefined) throw new Error("no plaintext data key");
    const dataKey = unb64(out.plaintext);
    await tenant.api.call("POST", `/v1/keys/${key}/rotate`, { auth: tenant.token });
    await expectDecrypted(key, out.ciphertext, 1, dataKey, new Uint8Array(0));
    const rewrapped = await tenant.api.call<Envelope & { source_version: number }>("POST", `/v1/keys/${key}/rewrap`, {
      auth: tenant.token,
      body: { ciphertext: out.ciphertext },
    });
    expect([rewrapped.key_version, rewrapped.source_version]).toEqual([2, 1]);
    expectPrefix(Buffer.from(unb64(rewrapped.ciphertext)), 0x01, key, 2);
    await expectDecrypted(key, rewrapped.ciphertext, 2, dataKey, new Uint8Array(0));
  });
});
