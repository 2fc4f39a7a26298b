/**
 * Tampered envelopes through the API (architecture §6, §7), HPKE (KEM keys) and AEAD (symmetric keys): a
 * change to any field — magic, version, type, key id, key version, suite or alg ids, enc or nonce,
 * ciphertext, tag — or truncating it, extending it, presenting another key's envelope or the wrong
 * aad, is always 400 `decrypt_failed` with the same title and detail: the answer never says which
 * check failed.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ALGORITHMS, isAlgorithmName } from "../../workers/kms/src/crypto/algorithms.ts";
import { toBase64Url } from "../../workers/shared/base64.ts";
import { KEY_ALGORITHM_NAMES } from "../../workers/shared/algorithms.ts";
import type { Json, TestTenant } from "./helpers.ts";
import { api, b64, bytes, createKey, ok, roomyTenant, text, toBase64, withoutRequestId, type KeyView } from "./kms-helpers.ts";

/** architecture §7: the fields every envelope starts with, at fixed offsets. */
const AT = { magic: 0, version: 3, type: 4, keyId: 5, keyIdEnd: 20, keyVersion: 21, keyVersionLow: 24, suite: 25 } as const;

/**
 * Where the type-specific fields are: HPKE envelopes (KEM keys) have kem/kdf/aead ids, then enc;
 * AEAD envelopes (symmetric keys) have an alg id, then a 12-byte nonce. Then ct‖tag.
 */
interface Layout {
  type: number;
  /** Offsets of the suite id fields (each a u16). */
  suiteIds: Record<string, number>;
  /** Where enc / the nonce starts, and how long it is. */
  body: number;
  bodyLength: number;
  bodyName: string;
}

function layoutOf(name: string): Layout | undefined {
  const spec = isAlgorithmName(name) ? ALGORITHMS[name] : undefined;
  if (spec?.kind === "kem") return { type: 0x01, suiteIds: { "kem id": 25, "kdf id": 27, "aead id": 29 }, body: 31, bodyLength: spec.ciphertextLength, bodyName: "enc" };
  if (spec?.kind === "aead") return { type: 0x02, suiteIds: { "alg id": 25 }, body: 27, bodyLength: spec.nonceLength, bodyName: "nonce" };
  return undefined;
}

/** Every algorithm whose keys encrypt, with its envelope layout. */
const ENCRYPTING = KEY_ALGORITHM_NAMES.flatMap((name) => {
  const layout = layoutOf(name);
  return layout ? [[name, layout] as const] : [];
});

const flip = (envelope: Uint8Array, at: number, mask = 0x01): Uint8Array => {
  const copy = envelope.slice();
  copy[at] = (copy[at] ?? 0) ^ mask;
  return copy;
};

const withBytes = (envelope: Uint8Array, at: number, replacement: Uint8Array): Uint8Array => {
  const copy = envelope.slice();
  copy.set(replacement, at);
  return copy;
};

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await roomyTenant();
});

describe.each(ENCRYPTING)("%s envelopes", (algorithm, layout) => {
  let key: KeyView;
  let envelope: Uint8Array;
  let otherEnvelope: Uint8Array;
  let plainEnvelope: Uint8Array;
  const aad = b64("order-42");

  const decrypt = (ciphertext: Uint8Array | string, withAad: string | null = aad) =>
    api(tenant, "POST", `/v1/keys/${key.id}/decrypt`, {
      ciphertext: typeof ciphertext === "string" ? ciphertext : toBase64(ciphertext),
      ...(withAad === null ? {} : { aad: withAad }),
    });

  beforeAll(async () => {
    key = await createKey(tenant, { algorithm });
    const other = await createKey(tenant, { algorithm });
    const seal = async (k: KeyView, body: Json) => bytes((await ok<{ ciphertext: string }>(tenant, "POST", `/v1/keys/${k.id}/encrypt`, body)).ciphertext);
    envelope = await seal(key, { plaintext: b64("attack at dawn"), aad });
    otherEnvelope = await seal(other, { plaintext: b64("attack at dawn"), aad });
    plainEnvelope = await seal(key, { plaintext: b64("no aad") });
  });

  it("the untouched envelope decrypts, in base64 and base64url", async () => {
    expect(envelope.length).toBe(layout.body + layout.bodyLength + "attack at dawn".length + 16);
    expect(envelope[AT.type]).toBe(layout.type);
    for (const encoded of [toBase64(envelope), toBase64Url(envelope)]) {
      const answer = await decrypt(encoded);
      expect(answer.status).toBe(200);
      expect(text(String(answer.body.plaintext))).toBe("attack at dawn");
    }
  });

  it("every tampering answers the same 400 decrypt_failed", async () => {
    const last = envelope.length - 1;
    const { body, bodyLength, bodyName } = layout;
    const cases: Record<string, { ciphertext: Uint8Array; aad?: string | null }> = {
      "magic": { ciphertext: flip(envelope, AT.magic) },
      "format version": { ciphertext: flip(envelope, AT.version) },
      "type → the other type": { ciphertext: withBytes(envelope, AT.type, Uint8Array.of(layout.type ^ 0x03)) },
      "type → unknown": { ciphertext: withBytes(envelope, AT.type, Uint8Array.of(0x7f)) },
      "key id, first byte": { ciphertext: flip(envelope, AT.keyId) },
      "key id, last byte": { ciphertext: flip(envelope, AT.keyIdEnd, 0x80) },
      "key version → 0": { ciphertext: withBytes(envelope, AT.keyVersion, Uint8Array.of(0, 0, 0, 0)) },
      "key version → 2": { ciphertext: flip(envelope, AT.keyVersionLow, 0x03) },
      "key version, high byte": { ciphertext: flip(envelope, AT.keyVersion, 0x80) },
      ...Object.fromEntries(Object.entries(layout.suiteIds).map(([name, at]) => [name, { ciphertext: flip(envelope, at + 1, 0x03) }])),
      [`${bodyName}, first byte`]: { ciphertext: flip(envelope, body) },
      [`${bodyName}, last byte`]: { ciphertext: flip(envelope, body + bodyLength - 1) },
      "ct, first byte": { ciphertext: flip(envelope, body + bodyLength) },
      "tag, last byte": { ciphertext: flip(envelope, last, 0x80) },
      "truncated to 1 byte": { ciphertext: envelope.slice(0, 1) },
      "truncated inside the header": { ciphertext: envelope.slice(0, AT.suite) },
      "truncated to the header": { ciphertext: envelope.slice(0, body) },
      [`truncated inside ${bodyName}`]: { ciphertext: envelope.slice(0, body + bodyLength - 1) },
      [`truncated to header and ${bodyName}`]: { ciphertext: envelope.slice(0, body + bodyLength) },
      "tag cut short": { ciphertext: envelope.slice(0, last) },
      "extended by a byte": { ciphertext: Uint8Array.of(...envelope, 0) },
      "extended by a block": { ciphertext: Uint8Array.of(...envelope, ...new Uint8Array(16)) },
      "another key's envelope": { ciphertext: otherEnvelope },
      "another key's envelope, relabelled with this key id": { ciphertext: withBytes(otherEnvelope, AT.keyId, envelope.slice(AT.keyId, AT.keyIdEnd + 1)) },
      "wrong aad": { ciphertext: envelope, aad: b64("order-43") },
      "aad missing": { ciphertext: envelope, aad: null },
      "aad where there was none": { ciphertext: plainEnvelope, aad },
      "not an envelope at all": { ciphertext: new TextEncoder().encode("PQK") },
    };

    let reference: Json | undefined;
    for (const [name, { ciphertext, aad: caseAad }] of Object.entries(cases)) {
      const answer = await decrypt(ciphertext, caseAad === undefined ? aad : caseAad);
      const seen = { name, status: answer.status, body: withoutRequestId(answer.body) };
      reference ??= seen.body;
      expect(seen).toEqual({ name, status: 400, body: reference });
    }
    expect(reference).toEqual({
      type: "https://pqkms.dev/problems/decrypt-failed",
      title: "Decryption failed",
      status: 400,
      detail: "Decryption failed",
      code: "decrypt_failed",
    });
  });

  it("tampering leaves the key working", async () => {
    expect((await decrypt(envelope)).status).toBe(200);
  });
});
