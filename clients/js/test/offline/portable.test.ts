/**
 * The offline functions need nothing of Node: bundled by esbuild for the browser (where a Node
 * built-in would fail to resolve) and run in a fresh `node:vm` realm whose only globals are what
 * every runtime the package targets has (Web Crypto, TextEncoder), they seal and verify. That
 * realm's TextEncoder is this one's, so its bytes are another realm's Uint8Array (as an iframe's
 * would be): they are accepted too.
 */
import path from "node:path";
import vm from "node:vm";
import { build } from "esbuild";
import { expect, it } from "vitest";

const OFFLINE = path.resolve(import.meta.dirname, "../../src/offline/index.ts");

const ENTRY = `
import { parsePublicKey, seal, verify } from ${JSON.stringify(OFFLINE)};
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { ml_dsa44 } from "@noble/post-quantum/ml-dsa.js";
globalThis.run = async () => {
  const kem = ml_kem768.keygen();
  const envelope = await seal({ algorithm: "ML-KEM-768", raw: kem.publicKey }, new Uint8Array([1, 2, 3]), { keyId: "0b7e5a53-6f0c-4d8e-9a51-2f4c1d9e7b30", version: 1 });
  const dsa = ml_dsa44.keygen();
  const message = new TextEncoder().encode("m");
  const context = new TextEncoder().encode("ctx");
  const signature = ml_dsa44.sign(message, dsa.secretKey, { context });
  const key = parsePublicKey({ algorithm: "ML-DSA-44", raw: dsa.publicKey });
  return [envelope.length, await verify(key, message, signature, { context }), await verify(key, message, signature)];
};
`;

it("bundles for the browser and runs in a realm with only Web Crypto and TextEncoder, taking that realm's bytes", async () => {
  const bundle = await build({
    stdin: { contents: ENTRY, resolveDir: path.dirname(OFFLINE), loader: "ts" },
    bundle: true,
    platform: "browser",
    format: "iife",
    write: false,
    logLevel: "silent",
  });
  const code = bundle.outputFiles[0]?.text ?? "";
  expect(code).not.toMatch(/require\("node:|from "node:/);
  const realm = vm.createContext({ crypto: globalThis.crypto, TextEncoder, TextDecoder });
  vm.runInContext(code, realm);
  const result = await (vm.runInContext("run()", realm) as Promise<unknown[]>);
  expect(result).toEqual([31 + 1088 + 3 + 16, true, false]);
});
