/**
 * A checkpoint signature checked by OpenSSL 3.5 (Node 24's node:crypto), an implementation
 * independent of the noble signer and verifier: from the published PEM and JWK, with the FIPS 204
 * context string `pqkms audit checkpoint v1` (architecture §9). And the two command sequences of
 * docs/audit-archive.md, run as written there: the Node one whole; the OpenSSL CLI one up to
 * `openssl pkeyutl` (its files then verified through node:crypto), and whole where the system's
 * `openssl` is 3.5 or later.
 */
import { execFile, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECKPOINT_CONTEXT, type SignedCheckpoint } from "../../../workers/shared/audit/archive-format.ts";
import { buildFixture, writeArchiveDir, type Fixture } from "./archive-fixture.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");

let fx: Fixture;
let signed: SignedCheckpoint;
let work: string;
beforeAll(async () => {
  fx = await buildFixture();
  signed = fx.archive().checkpoints.at(-2) as SignedCheckpoint; // the last segment's, signed by the current key
  work = await mkdtemp(path.join(tmpdir(), "pqkms-audit-openssl-"));
  await writeArchiveDir(work, fx.archive());
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const context = Buffer.from(CHECKPOINT_CONTEXT);
/** `ctx` null: no context string (FIPS 204's empty context). */
const verifyWith = (key: crypto.KeyObject, payload: string, ctx: Buffer | null = context) =>
  crypto.verify(null, Buffer.from(payload, "utf8"), ctx === null ? key : { key, context: ctx }, Buffer.from(signed.signature, "base64"));

describe("node:crypto (OpenSSL 3.5)", () => {
  it("verifies a checkpoint under the published PEM and JWK, with the checkpoint context", () => {
    expect(process.versions.openssl).toMatch(/^3\.([5-9]|\d{2,})\./);
    const view = fx.current.view;
    expect(signed.key_id).toBe(view.key_id);
    const fromPem = crypto.createPublicKey(view.public_key.pem);
    const fromJwk = crypto.createPublicKey({ key: view.public_key.jwk, format: "jwk" });
    expect(fromPem.asymmetricKeyType).toBe("ml-dsa-65");
    expect(fromJwk.equals(fromPem)).toBe(true);
    expect(verifyWith(fromPem, signed.payload)).toBe(true);
    expect(verifyWith(fromJwk, signed.payload)).toBe(true);
  });

  it("refuses it without the context, with another context, with an edited payload or under the other key", () => {
    const key = crypto.createPublicKey(fx.current.view.public_key.pem);
    expect(verifyWith(key, signed.payload, null)).toBe(false);
    expect(verifyWith(key, signed.payload, Buffer.from("pqkms audit checkpoint v2"))).toBe(false);
    expect(verifyWith(key, signed.payload.replace(/"seq":\d+/, '"seq":1'))).toBe(false);
    expect(verifyWith(crypto.createPublicKey(fx.retired.view.public_key.pem), signed.payload)).toBe(false);
  });
});

/** The ```sh block after `<!-- marker -->` in docs/audit-archive.md. */
async function docBlock(marker: string): Promise<string> {
  const doc = await readFile(path.join(ROOT, "docs/audit-archive.md"), "utf8");
  const block = new RegExp(`<!-- ${marker} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(doc)?.[1];
  if (block === undefined) throw new Error(`no block ${marker} in docs/audit-archive.md`);
  return block;
}

/** Runs a shell script with the project's Node 24 first on PATH; exit code and output. */
function sh(script: string, archive: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, ARCHIVE: archive, PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ""}` };
  return new Promise((resolve) => {
    execFile("bash", ["-euo", "pipefail", "-c", script], { env }, (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }));
  });
}

function hasTool(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return null;
  }
}
const systemOpenssl = hasTool("openssl", ["version"]);
const opensslHasMlDsa = systemOpenssl !== null && /^OpenSSL 3\.([5-9]|\d{2,})\./.test(systemOpenssl);
const hasJq = hasTool("jq", ["--version"]) !== null;

describe("docs/audit-archive.md, as written", () => {
  it("the Node 24 command verifies the newest checkpoint, and fails on an edited one", async () => {
    const script = await docBlock("node-openssl");
    const good = await sh(script, work);
    expect(good.stdout.trim()).toBe("Signature Verified Successfully");
    expect(good.code).toBe(0);

    const copy = await mkdtemp(path.join(tmpdir(), "pqkms-audit-openssl-edited-"));
    try {
      const archive = fx.archive();
      await writeArchiveDir(copy, archive);
      const dir = path.join(copy, "logs", fx.tenant, "checkpoints");
      const newest = path.join(dir, (await readdir(dir)).sort().at(-1) as string);
      const checkpoint = JSON.parse(await readFile(newest, "utf8")) as SignedCheckpoint;
      await writeFile(newest, JSON.stringify({ ...checkpoint, payload: checkpoint.payload.replace(/"seq":\d+/, '"seq":199') }));
      const bad = await sh(script, copy);
      expect(bad.stdout.trim()).toBe("Signature Verification Failure");
      expect(bad.code).toBe(1);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasJq)("the OpenSSL CLI steps write the exact payload, signature and PEM that OpenSSL 3.5 verifies", async () => {
    const script = await docBlock("openssl-cli");
    const steps = script.slice(0, script.indexOf("openssl pkeyutl"));
    const { code, stderr } = await sh(steps, work);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const payload = await readFile(path.join(work, "payload.txt"));
    const signature = await readFile(path.join(work, "signature.bin"));
    const key = crypto.createPublicKey(await readFile(path.join(work, "audit-key.pem"), "utf8"));
    expect(payload.toString("utf8")).toBe(fx.archive().checkpoints.map((c) => c.payload).sort((a, b) => Number(/"seq":(\d+)/.exec(a)?.[1]) - Number(/"seq":(\d+)/.exec(b)?.[1])).at(-1));
    expect(crypto.verify(null, payload, { key, context }, signature)).toBe(true);
  });

  it.skipIf(!hasJq || !opensslHasMlDsa)(`the whole OpenSSL CLI sequence (system ${systemOpenssl?.trim() ?? "openssl absent"})`, async () => {
    const { code, stdout } = await sh(await docBlock("openssl-cli"), work);
    expect(stdout).toContain("Signature Verified Successfully");
    expect(code).toBe(0);
  });
});
