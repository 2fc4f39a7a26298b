/**
 * `node scripts/audit-archive.ts` end to end (architecture §9, docs/audit-archive.md): `verify` on an
 * archive directory (exit 0 valid, 1 broken with the first break named, 2 usage or file error) and
 * `download` from a local HTTP server that answers the gateway's audit routes with a fixture archive
 * (the documented response shapes and headers), so the pagination, the Repr-Digest check and the
 * written layout are exercised without the Workers; test/node/interop covers the real service.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manifestObjectKey, segmentObjectKey, type CheckpointPayload } from "../../../workers/shared/audit/archive-format.ts";
import type { ArchiveInput } from "../../../workers/shared/audit/verify-archive.ts";
import { buildFixture, writeArchiveDir, type Fixture } from "./archive-fixture.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const SCRIPT = path.join(ROOT, "scripts/audit-archive.ts");

function runScript(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { cwd: ROOT, env: { ...process.env, PQKMS_URL: "", PQKMS_API_KEY: "", ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

let fx: Fixture;
let work: string;
beforeAll(async () => {
  fx = await buildFixture();
  work = await mkdtemp(path.join(tmpdir(), "pqkms-audit-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function archiveDir(name: string, archive: ArchiveInput = fx.archive()): Promise<string> {
  const dir = path.join(work, name);
  await writeArchiveDir(dir, archive);
  return dir;
}

describe("verify --from-archive", () => {
  it("a valid archive: one line per stage, exit 0; --json gives the verdict", async () => {
    const dir = await archiveDir("valid");
    const { code, stdout } = await runScript(["verify", "--from-archive", dir]);
    expect(code).toBe(0);
    expect(stdout.trim().split("\n").map((line) => line.split(/\s+/).slice(0, 2).join(" "))).toEqual([
      "keys ok", "manifest ok", "digest ok", "chain ok", "checkpoint ok", "coverage ok", `VALID: events`,
    ]);
    expect(stdout).toContain(`VALID: events 1..200 of log ${fx.tenant}`);
    const json = await runScript(["verify", "--from-archive", dir, "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({ tenant: fx.tenant, valid: true, from_seq: 1, to_seq: 200, keys: 2, segments: 5, events: 200, checkpoints: 6 });
  });

  it("a segment edited in place: exit 1, the first break named", async () => {
    const dir = await archiveDir("edited");
    const file = path.join(dir, segmentObjectKey(fx.tenant, fx.archive().manifest[2]?.segment ?? ""));
    const bytes = await readFile(file);
    bytes[bytes.length - 9] = (bytes[bytes.length - 9] ?? 0) ^ 0x40;
    await writeFile(file, bytes);
    const { code, stdout } = await runScript(["verify", "--from-archive", dir]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^digest\s+BROKEN\s+segment \d{20}-\d{20}'s SHA-256/m);
    expect(stdout).toMatch(/^chain\s+ok\s+80 events checked before the break/m);
    expect(stdout).toMatch(/^coverage\s+-\s+not reached/m);
    expect(stdout).toContain(`BROKEN: first break at seq 81, segment ${fx.archive().manifest[2]?.segment}`);
  });

  it("a manifest file renamed over another: the layout itself is broken", async () => {
    const dir = await archiveDir("renamed");
    const [a, b] = fx.archive().manifest.slice(1, 3).map((line) => path.join(dir, manifestObjectKey(fx.tenant, line.segment)));
    await rename(a as string, `${a}.tmp`);
    await rename(b as string, a as string);
    await rename(`${a}.tmp`, b as string);
    const { code, stdout } = await runScript(["verify", "--from-archive", dir, "--json"]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ valid: false, first_break: { stage: "manifest", reason: expect.stringContaining("describes segment") } });
  });

  it("pinned keys (--keys): a checkpoint signed by a key outside the pinned list breaks", async () => {
    const dir = await archiveDir("pinned");
    const pinned = path.join(work, "pinned-keys.json");
    await writeFile(pinned, JSON.stringify({ keys: [fx.current.view] }));
    const { code, stdout } = await runScript(["verify", "--from-archive", dir, "--keys", pinned]);
    expect(code).toBe(1);
    expect(stdout).toContain(`unknown audit key ${fx.retired.view.key_id}`);
  });

  it("cut short with its newest checkpoint: valid alone, broken against a checkpoint kept from before (--checkpoint)", async () => {
    const archive = fx.archive();
    const last = archive.manifest.pop()?.segment ?? "";
    archive.segments.delete(last);
    const newest = archive.checkpoints.find((c) => c.payload.includes(last));
    archive.checkpoints = archive.checkpoints.filter((c) => c !== newest);
    const dir = await archiveDir("cut-short", archive);
    expect((await runScript(["verify", "--from-archive", dir])).code).toBe(0);
    const kept = path.join(work, "kept-checkpoint.json");
    await writeFile(kept, JSON.stringify(newest));
    const { code, stdout } = await runScript(["verify", "--from-archive", dir, "--checkpoint", kept]);
    expect(code).toBe(1);
    expect(stdout).toContain(`BROKEN: first break at seq 161, segment ${last}: events 161..200 named by checkpoint at seq 200`);
  });

  it("usage and file errors: exit 2 with the usage text", async () => {
    for (const args of [["verify"], ["verify", "--from-archive", path.join(work, "absent")], ["verify", "--bogus"]]) {
      const { code, stderr } = await runScript(args);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toContain("usage:");
    }
    const help = await runScript(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/exit codes: 0 valid .*; 1 the archive is broken/s);
  });
});

describe("download", () => {
  let server: Server;
  let url: string;
  const apiKey = "pqkms_test_audit_reader";
  /** Segment ids whose bytes the server corrupts while announcing the true digest. */
  const corrupt = new Set<string>();
  let archive: ArchiveInput;

  beforeAll(async () => {
    archive = fx.archive();
    const views = archive.manifest.map((line) => ({
      id: line.segment, first_seq: line.first_seq, last_seq: line.last_seq, count: line.count,
      first_time: new Date(line.first_time).toISOString(), last_time: new Date(line.last_time).toISOString(),
      prev_hash: line.prev_hash, last_hash: line.last_hash, sha256: line.sha256, bytes: line.bytes,
      archived_at: new Date(line.last_time + 1000).toISOString(), checkpoint_seq: line.last_seq,
    })).reverse();
    const checkpoints = archive.checkpoints.map((c) => ({ seq: (JSON.parse(c.payload) as CheckpointPayload).seq, ...c })).sort((a, b) => b.seq - a.seq);
    // Newest first, pages of `limit`, cursor exclusive: as the routes page.
    const page = <T>(items: T[], key: (item: T) => string, query: URLSearchParams) => {
      const limit = Number(query.get("limit"));
      const cursor = query.get("cursor");
      const start = cursor === null ? 0 : items.findIndex((item) => key(item) === cursor) + 1;
      const slice = items.slice(start, start + Math.min(limit, 2));
      return { slice, next: start + slice.length < items.length ? key(slice.at(-1) as T) : null };
    };
    server = createServer((request, response) => {
      const target = new URL(request.url ?? "/", "http://localhost");
      const json = (body: unknown) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
      if (request.headers["x-api-key"] !== apiKey) return response.writeHead(401).end();
      if (target.pathname === "/v1/audit-checkpoints") {
        const { slice, next } = page(checkpoints, (c) => String(c.seq), target.searchParams);
        return json({ checkpoints: slice, next_cursor: next });
      }
      if (target.pathname === "/v1/audit-exports") {
        const { slice, next } = page(views, (v) => v.id, target.searchParams);
        return json({ segments: slice, next_cursor: next, status: {} });
      }
      if (target.pathname === "/v1/audit-keys") return json({ keys: archive.keys });
      const id = /^\/v1\/audit-exports\/([\d-]+)$/.exec(target.pathname)?.[1];
      const bytes = id === undefined ? undefined : archive.segments.get(id);
      if (id === undefined || bytes === undefined) return response.writeHead(404).end();
      const digest = createHash("sha256").update(bytes).digest("base64");
      const body = Buffer.from(bytes);
      if (corrupt.has(id)) body[20] = (body[20] ?? 0) ^ 1;
      response.writeHead(200, { "content-type": "application/gzip", "repr-digest": `sha-256=:${digest}:` }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("pages every listing, checks each segment's digest, writes the layout verify reads", async () => {
    const out = path.join(work, "downloaded");
    const fetched = await runScript(["download", "--out", out], { PQKMS_URL: url, PQKMS_API_KEY: apiKey });
    expect(fetched.stderr).toBe("");
    expect(fetched.code).toBe(0);
    expect(fetched.stdout).toContain(`log ${fx.tenant}: 5 segments (5 fetched), 6 checkpoints, 2 audit keys`);
    const verified = await runScript(["verify", "--from-archive", out]);
    expect(verified.stdout).toContain("VALID: events 1..200");
    expect(verified.code).toBe(0);
    // A second run fetches nothing it already holds.
    const again = await runScript(["download", "--url", url, "--api-key", apiKey, "--out", out]);
    expect(again.stdout).toContain("5 segments (0 fetched)");
  });

  it("a segment whose bytes differ from its Repr-Digest: exit 1, nothing written for it", async () => {
    const out = path.join(work, "mismatch");
    const victim = archive.manifest[3]?.segment ?? "";
    corrupt.add(victim);
    try {
      const { code, stderr } = await runScript(["download", "--url", url, "--api-key", apiKey, "--out", out]);
      expect(code).toBe(1);
      expect(stderr).toContain(`segment ${victim}: SHA-256 of the bytes`);
      expect(existsSync(path.join(out, segmentObjectKey(fx.tenant, victim)))).toBe(false);
    } finally {
      corrupt.delete(victim);
    }
  });

  it("a refused credential: exit 2 naming the HTTP status", async () => {
    const { code, stderr } = await runScript(["download", "--url", url, "--api-key", "wrong", "--out", path.join(work, "refused")]);
    expect(code).toBe(2);
    expect(stderr).toContain("HTTP 401");
  });
});
