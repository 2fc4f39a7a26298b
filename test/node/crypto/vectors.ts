/**
 * Shared helpers for the crypto conformance tests: reading the vectors in test/vectors (origins and
 * licences in test/vectors/SOURCES.md), hex conversion, and a scripted random source for
 * reproducing vectors; the implicit-rejection check every KEM shares.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import type { RandomSource } from "../../../workers/kms/src/crypto/bytes.ts";
import type { CryptoProvider, PrivateKeyHandle } from "../../../workers/kms/src/crypto/provider.ts";

/** The repository's own copies of the vectors: tests read nothing outside the repository. */
export const VECTORS_DIR = path.resolve(import.meta.dirname, "../../vectors");

export function readVector(relativePath: string): string {
  return readFileSync(path.join(VECTORS_DIR, relativePath), "utf8");
}

export function readJsonVector<T>(relativePath: string): T {
  return JSON.parse(readVector(relativePath)) as T;
}

/** A plain (ArrayBuffer-backed, unpooled) Uint8Array from hex. */
export function hex(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(Buffer.from(text, "hex"));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/**
 * A random source that hands out the given byte strings in order, each exactly once, and fails
 * loudly if asked for anything else, so a test knows which randomness the code consumed.
 */
export function scriptedRandom(...chunks: Uint8Array[]): RandomSource & { readonly remaining: number } {
  const queue = chunks.map((chunk) => Uint8Array.from(chunk));
  const source = (length: number): Uint8Array<ArrayBuffer> => {
    const next = queue.shift();
    if (next === undefined) throw new Error(`scriptedRandom: asked for ${length} bytes with nothing left`);
    if (next.length !== length) throw new Error(`scriptedRandom: asked for ${length} bytes, next chunk has ${next.length}`);
    return next;
  };
  return Object.defineProperty(source, "remaining", { get: () => queue.length }) as RandomSource & { readonly remaining: number };
}

/** Wycheproof file layout (testvectors_v1). */
/** One suite of hpke-pq-test-vectors.json (draft-ietf-hpke-pq; see test/vectors/SOURCES.md). */
export interface HpkeVector {
  readonly mode: number;
  readonly kem_id: number;
  readonly kdf_id: number;
  readonly aead_id: number;
  readonly info: string;
  readonly ikmE: string;
  readonly ikmR: string;
  readonly skRm: string;
  readonly pkRm: string;
  readonly enc: string;
  readonly shared_secret: string;
  readonly suite_id: string;
  readonly key: string;
  readonly base_nonce: string;
  readonly exporter_secret: string;
  readonly encryptions: readonly { aad: string; ct: string; nonce: string; pt: string }[];
  readonly exports: readonly { exporter_context: string; L: number; exported_value: string }[];
}

export interface WycheproofFile<G> {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly testGroups: readonly G[];
}

export interface WycheproofTest {
  readonly tcId: number | string;
  readonly comment?: string;
  readonly flags?: readonly string[] | null;
  readonly result: "valid" | "invalid" | "acceptable";
}

export function label(test: WycheproofTest): string {
  const flags = test.flags && test.flags.length > 0 ? ` [${test.flags.join(", ")}]` : "";
  return `tcId ${test.tcId}: ${test.result}${test.comment ? ` (${test.comment})` : ""}${flags}`;
}

/** Every test of a file, with its group. */
export function allTests<G extends { readonly tests: readonly WycheproofTest[] }>(file: WycheproofFile<G>): { group: G; test: G["tests"][number] }[] {
  return file.testGroups.flatMap((group) => group.tests.map((test) => ({ group, test })));
}

/**
 * FIPS 203 §6.3 implicit rejection: `ciphertext` with bit 0 of byte `index` flipped decapsulates,
 * without an error, to a 32-byte secret other than `sharedSecret`, and to the same one every time.
 */
export async function expectImplicitRejection(
  provider: Pick<CryptoProvider, "decapsulate">,
  privateKey: PrivateKeyHandle,
  ciphertext: Uint8Array,
  sharedSecret: Uint8Array,
  index = 0,
): Promise<void> {
  const tampered = ciphertext.slice();
  tampered[index] = (tampered[index] ?? 0) ^ 1;
  const rejected = await provider.decapsulate(privateKey, tampered);
  expect(rejected.length).toBe(32);
  expect(toHex(rejected)).not.toBe(toHex(sharedSecret));
  expect(toHex(await provider.decapsulate(privateKey, tampered))).toBe(toHex(rejected));
}
