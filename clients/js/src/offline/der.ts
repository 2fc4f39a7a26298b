/**
 * Just enough DER (X.690) to say what an SPKI is when it is not one pqkms accepts: its algorithm OID
 * and whether it has parameters. Acceptance itself is the kms's own `decodeSpki`
 * (public-key-formats.ts), which takes only the exact bytes the service emits; this reader exists so
 * the refusal can name the OID (e.g. "1.2.840.10045.2.1 (an EC key)") instead of "unrecognised".
 *
 * Trust boundary: untrusted bytes; total (returns undefined for anything malformed, never throws).
 */

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

// X.690 §8.1.3: definite lengths only (DER forbids the indefinite form), at most 4 length bytes.
function readTlv(bytes: Uint8Array, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = bytes[offset] as number;
  const first = bytes[offset + 1] as number;
  let length = first;
  let start = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + i] as number);
    start += count;
  }
  const end = start + length;
  return end <= limit ? { tag, start, end } : undefined;
}

// X.690 §8.19: the first byte carries 40·a + b, then base-128 arcs with the high bit as continuation.
function oidText(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return undefined;
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) return undefined;
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  if (bytes[bytes.length - 1]! & 0x80) return undefined;
  const [head = 0, ...rest] = arcs;
  const first = head < 80 ? Math.floor(head / 40) : 2;
  return [first, head - 40 * first, ...rest].join(".");
}

export interface SpkiOutline {
  /** Dotted OID of the AlgorithmIdentifier. */
  readonly oid: string;
  /** Whether the AlgorithmIdentifier carries parameters (RFC 9935/9881/9909 require them absent). */
  readonly hasParameters: boolean;
  /** The BIT STRING's contents after the unused-bits byte. */
  readonly publicKeyLength: number;
}

/** SEQUENCE { SEQUENCE { OID, parameters OPTIONAL }, BIT STRING } (RFC 5280 §4.1.2.7), or undefined. */
export function outlineSpki(der: Uint8Array): SpkiOutline | undefined {
  const outer = readTlv(der, 0, der.length);
  if (outer?.tag !== 0x30 || outer.end !== der.length) return undefined;
  const algorithm = readTlv(der, outer.start, outer.end);
  if (algorithm?.tag !== 0x30) return undefined;
  const oid = readTlv(der, algorithm.start, algorithm.end);
  if (oid?.tag !== 0x06) return undefined;
  const text = oidText(der.subarray(oid.start, oid.end));
  const bitString = readTlv(der, algorithm.end, outer.end);
  if (text === undefined || bitString?.tag !== 0x03 || bitString.end !== outer.end || bitString.end - bitString.start < 1) return undefined;
  return { oid: text, hasParameters: oid.end !== algorithm.end, publicKeyLength: bitString.end - bitString.start - 1 };
}
