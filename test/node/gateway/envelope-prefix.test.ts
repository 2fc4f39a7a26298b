/**
 * The envelope prefix the gateway reads for key-less decrypt and rewrap (shared/envelope-header.ts):
 * the same key id and version the vault's full decoder reads, for every header it can encode, and
 * total on arbitrary bytes (never throws).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeEnvelope, encodeEnvelopeHeader } from "../../../workers/kms/src/crypto/envelope.ts";
import { envelopeKeyId, readEnvelopePrefix } from "../../../workers/shared/envelope-header.ts";

const KEY_ID = "0190f3a2-7b1c-7def-8a12-3456789abcde";

describe("readEnvelopePrefix", () => {
  it("reads the key id (lower case) and version of an AEAD header the vault encodes", () => {
    const header = encodeEnvelopeHeader({ type: "aead", keyId: KEY_ID.toUpperCase(), keyVersion: 0xfffffffe, algId: 1 });
    const envelope = new Uint8Array([...header, ...new Uint8Array(12 + 16)]);
    expect(readEnvelopePrefix(envelope)).toEqual({ ok: true, value: { type: 0x02, keyId: KEY_ID, keyVersion: 0xfffffffe } });
    const full = decodeEnvelope(envelope);
    expect(full.ok && { keyId: full.value.keyId, keyVersion: full.value.keyVersion }).toEqual({ keyId: KEY_ID, keyVersion: 0xfffffffe });
  });

  it("names no key for bytes that do not start like an envelope", () => {
    const header = encodeEnvelopeHeader({ type: "aead", keyId: KEY_ID, keyVersion: 1, algId: 1 });
    expect(readEnvelopePrefix(header.slice(0, 24))).toEqual({ ok: false, error: { code: "decrypt_failed", reason: "too_short" } });
    expect(readEnvelopePrefix(Uint8Array.of(0x51, ...header.slice(1)))).toEqual({ ok: false, error: { code: "decrypt_failed", reason: "bad_magic" } });
    expect(readEnvelopePrefix(Uint8Array.of(...header.slice(0, 3), 0x02, ...header.slice(4)))).toEqual({ ok: false, error: { code: "decrypt_failed", reason: "unsupported_version" } });
    expect(envelopeKeyId(new TextEncoder().encode("not an envelope at all, not at all"))).toBeNull();
  });

  it("never throws, and agrees with the full decoder whenever that one accepts", () => {
    // Half of the inputs start like an AEAD envelope, so that the full decoder accepts some of them.
    const start = fc.constantFrom(new Uint8Array(0), Uint8Array.of(0x50, 0x51, 0x4b, 0x01, 0x02));
    fc.assert(
      fc.property(fc.tuple(start, fc.uint8Array({ maxLength: 80 })), ([head, tail]) => {
        const bytes = new Uint8Array([...head, ...tail]);
        const prefix = readEnvelopePrefix(bytes);
        const full = decodeEnvelope(bytes);
        if (full.ok) expect(prefix).toMatchObject({ ok: true, value: { keyId: full.value.keyId, keyVersion: full.value.keyVersion } });
      }),
    );
  });
});
