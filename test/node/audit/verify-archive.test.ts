/**
 * verifyArchive (workers/shared/audit/verify-archive.ts, architecture §9) on a synthetic archive built
 * with the service's own formats (archive-fixture.ts): the valid archive passes, and every tampering
 * of the archive a holder of the bucket can do is found at its first break: a segment edited,
 * removed, reordered or replaced by a self-consistent forged chain, a checkpoint forged.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CHECKPOINT_FORMAT, segmentId, segmentText, parseSegmentText, type CheckpointPayload } from "../../../workers/shared/audit/archive-format.ts";
import { hashEvent, type AuditEvent } from "../../../workers/shared/audit/chain.ts";
import { verifyArchive, type ArchiveInput, type ArchiveOptions } from "../../../workers/shared/audit/verify-archive.ts";
import { nobleVerify } from "../../../scripts/audit/archive-dir.ts";
import { makeEvents } from "../../support/audit-events.ts";
import { ON_DEMAND_SEQ, ROTATED_AT, buildFixture, gzip, sealSegment, sha256Hex, signCheckpoint, type ArchiveCopy, type Fixture } from "./archive-fixture.ts";

let fx: Fixture;
beforeAll(async () => {
  fx = await buildFixture();
});

const run = (archive: ArchiveInput, options?: ArchiveOptions) => verifyArchive(archive, nobleVerify, options);
const id = (n: number) => segmentId(n * 40 + 1, n * 40 + 40);

async function firstBreak(archive: ArchiveInput, options?: ArchiveOptions) {
  const verdict = await run(archive, options);
  if (verdict.valid) throw new Error("the archive verified");
  return verdict.first_break;
}

/** Rewrites segment `n` (0-based) through `edit` on its events, re-gzipped, its manifest line's digest updated. */
async function resealed(archive: ArchiveCopy, n: number, edit: (events: AuditEvent[]) => AuditEvent[]) {
  const line = archive.manifest[n];
  if (line === undefined) throw new Error("no such segment");
  const text = new TextDecoder().decode(await new Response(new Blob([archive.segments.get(line.segment) as Uint8Array]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  const bytes = await gzip(segmentText(edit(parseSegmentText(text) ?? [])));
  archive.segments.set(line.segment, bytes);
  archive.manifest[n] = { ...line, sha256: await sha256Hex(bytes), bytes: bytes.length };
}

function payloadOf(archive: ArchiveCopy, segment: string): CheckpointPayload {
  const signed = archive.checkpoints.find((c) => c.payload.includes(`"segment":"${segment}"`));
  if (signed === undefined) throw new Error("no checkpoint");
  return JSON.parse(signed.payload) as CheckpointPayload;
}

function replaceCheckpoint(archive: ArchiveCopy, segment: string, signed: ArchiveCopy["checkpoints"][number]) {
  archive.checkpoints = archive.checkpoints.map((c) => (c.payload.includes(`"segment":"${segment}"`) ? signed : c));
}

it("passes the valid archive: every segment, event and checkpoint checked", async () => {
  expect(await run(fx.archive())).toEqual({ valid: true, from_seq: 1, to_seq: 200, keys: 2, segments: 5, events: 200, checkpoints: 6 });
});

describe("a segment edited", () => {
  it("in place: its SHA-256 no longer matches its manifest line", async () => {
    const archive = fx.archive();
    const bytes = new Uint8Array(archive.segments.get(id(2)) as Uint8Array);
    bytes[bytes.length - 12] = (bytes[bytes.length - 12] ?? 0) ^ 1;
    archive.segments.set(id(2), bytes);
    expect(await firstBreak(archive)).toMatchObject({ stage: "digest", seq: 81, segment: id(2), reason: expect.stringContaining("SHA-256") });
  });

  it("its manifest line's size edited: the digest stage names it", async () => {
    const archive = fx.archive();
    archive.manifest[1] = { ...(archive.manifest[1] as ArchiveCopy["manifest"][number]), bytes: 1 };
    expect(await firstBreak(archive)).toMatchObject({ stage: "digest", seq: 41, reason: expect.stringContaining("its manifest line says 1") });
  });

  it("one field changed, re-gzipped and the manifest's digest updated: the event no longer hashes", async () => {
    const archive = fx.archive();
    await resealed(archive, 2, (events) => events.map((e) => (e.seq === 85 ? { ...e, outcome: e.outcome === "allowed" ? "denied" : "allowed" } : e)));
    expect(await firstBreak(archive)).toMatchObject({ stage: "chain", seq: 85, segment: id(2), reason: expect.stringContaining("does not hash") });
  });

  it("one event re-hashed after the edit: the next event's prev_hash breaks", async () => {
    const archive = fx.archive();
    await resealed(archive, 2, (events) => events.map((e) => {
      if (e.seq !== 85) return e;
      const edited = { ...e, detail: "nothing to see" };
      return { ...edited, hash: hashEvent(edited) };
    }));
    expect(await firstBreak(archive)).toMatchObject({ stage: "chain", seq: 86 });
  });

  it("a field dropped (it would hash as null): not a canonical event line", async () => {
    const archive = fx.archive();
    await resealed(archive, 1, (events) => events.map((e) => (e.seq === 50 ? ({ ...e, detail: undefined } as unknown as AuditEvent) : e)));
    expect(await firstBreak(archive)).toMatchObject({ stage: "chain", seq: 50, reason: expect.stringContaining("canonical") });
  });
});

describe("a segment removed", () => {
  it("from the middle: the gap is named", async () => {
    const archive = fx.archive();
    archive.manifest.splice(1, 1);
    archive.segments.delete(id(1));
    expect(await firstBreak(archive)).toMatchObject({ stage: "manifest", seq: 41, segment: id(2), reason: "events 41..80 are missing: segment " + id(2) + " starts at seq 81" });
  });

  it("at the end: its checkpoint still names the missing events, even with the rest in the vault", async () => {
    const archive = fx.archive();
    archive.manifest.pop();
    archive.segments.delete(id(4));
    const expected = { stage: "coverage", seq: 161, segment: id(4), reason: `events 161..200 named by checkpoint at seq 200 (segment ${id(4)}) are missing from the archive` };
    expect(await firstBreak(archive)).toEqual(expected);
    expect(await firstBreak(archive, { restInVault: true })).toEqual(expected);
  });

  it("at the end together with its checkpoint: the copy alone cannot tell (the service's newer checkpoints can)", async () => {
    const archive = fx.archive();
    archive.manifest.pop();
    archive.segments.delete(id(4));
    archive.checkpoints = archive.checkpoints.filter((c) => !c.payload.includes(id(4)));
    expect(await run(archive)).toMatchObject({ valid: true, to_seq: 160 });
  });

  it("at the start: an archive must begin at seq 1 unless the caller says where it begins", async () => {
    const archive = fx.archive();
    archive.manifest.shift();
    archive.segments.delete(id(0));
    expect(await firstBreak(archive)).toMatchObject({ stage: "manifest", seq: 1, reason: expect.stringContaining("events 1..40 are missing") });
    expect(await run(archive, { firstSeq: 41 })).toMatchObject({ valid: true, from_seq: 41, to_seq: 200, checkpoints: 6 });
    // Segment 1's checkpoint (seq 40) pins where the archive starts: a forged prev_hash there is seen.
    archive.manifest[0] = { ...(archive.manifest[0] as ArchiveCopy["manifest"][number]), prev_hash: "f".repeat(64) };
    expect(await firstBreak(archive, { firstSeq: 41 })).toMatchObject({ stage: "checkpoint", seq: 40 });
  });
});

describe("segments reordered", () => {
  it("two segments listed out of order (objects renamed): the second is not where the first ends", async () => {
    const archive = fx.archive();
    archive.manifest.splice(1, 2, ...archive.manifest.slice(1, 3).reverse());
    expect(await firstBreak(archive)).toMatchObject({ stage: "manifest", seq: 41, segment: id(2), reason: expect.stringContaining("starts at seq 81") });
  });

  it("two segments' bytes swapped under their names: digests differ", async () => {
    const archive = fx.archive();
    const [a, b] = [archive.segments.get(id(1)), archive.segments.get(id(2))];
    if (a === undefined || b === undefined) throw new Error("no such segments");
    archive.segments.set(id(1), b).set(id(2), a);
    expect(await firstBreak(archive)).toMatchObject({ stage: "digest", segment: id(1) });
  });

  it("events reordered inside a segment (digest updated): the chain breaks there", async () => {
    const archive = fx.archive();
    await resealed(archive, 3, (events) => [...events.slice(0, 5), events[6] as AuditEvent, events[5] as AuditEvent, ...events.slice(7)]);
    expect(await firstBreak(archive)).toMatchObject({ stage: "chain", seq: 126, reason: expect.stringContaining("holds seq 127") });
  });
});

describe("segments replaced by a self-consistent forged chain", () => {
  async function forgeFrom(archive: ArchiveCopy, n: number) {
    const prev = archive.manifest[n - 1] as ArchiveCopy["manifest"][number];
    const forged = makeEvents({ tenant: fx.tenant, firstSeq: prev.last_seq + 1, prevHash: prev.last_hash, count: 200 - prev.last_seq, seed: 99, startTime: prev.last_time });
    for (let s = n; s < 5; s++) {
      const { bytes, line } = await sealSegment(fx.tenant, forged.slice((s - n) * 40, (s - n + 1) * 40));
      archive.manifest[s] = line;
      archive.segments.set(line.segment, bytes);
    }
  }

  it("the last segment: its own checkpoint signs another hash", async () => {
    const archive = fx.archive();
    await forgeFrom(archive, 4);
    expect(await firstBreak(archive)).toMatchObject({ stage: "checkpoint", seq: 200, segment: id(4), reason: expect.stringContaining("signs hash") });
  });

  it("from segment 4 on: the first checkpoint inside the forgery (on demand, seq 130) breaks first", async () => {
    const archive = fx.archive();
    await forgeFrom(archive, 3);
    expect(await firstBreak(archive)).toMatchObject({ stage: "checkpoint", seq: ON_DEMAND_SEQ, reason: expect.stringContaining("on demand") });
  });
});

describe("a checkpoint forged", () => {
  it("payload edited after signing: the signature fails", async () => {
    const archive = fx.archive();
    const signed = archive.checkpoints.find((c) => c.payload.includes(id(1)));
    replaceCheckpoint(archive, id(1), { ...(signed as typeof archive.checkpoints[number]), payload: (signed?.payload ?? "").replace(/"time":"[^"]+"/, `"time":"${new Date(ROTATED_AT - 1).toISOString()}"`) });
    expect(await firstBreak(archive)).toMatchObject({ stage: "checkpoint", seq: 80, segment: id(1), reason: expect.stringContaining("signature does not verify") });
  });

  it("signed by another key under the real key's id, or under its own unpublished id", async () => {
    const archive = fx.archive();
    const payload = payloadOf(archive, id(2));
    replaceCheckpoint(archive, id(2), signCheckpoint(payload, fx.stranger));
    expect(await firstBreak(archive)).toMatchObject({ stage: "checkpoint", seq: 120, reason: expect.stringContaining("signature does not verify") });
    replaceCheckpoint(archive, id(2), signCheckpoint({ ...payload, key_id: fx.stranger.view.key_id }, fx.stranger));
    expect(await firstBreak(archive)).toMatchObject({ stage: "checkpoint", seq: 120, reason: expect.stringContaining("unknown audit key") });
  });

  it("signed by the retired key after its validity ended", async () => {
    const archive = fx.archive();
    const payload = payloadOf(archive, id(3));
    replaceCheckpoint(archive, id(3), signCheckpoint({ ...payload, key_id: fx.retired.view.key_id }, fx.retired));
    expect(await firstBreak(archive)).toMatchObject({ stage: "checkpoint", seq: 160, reason: expect.stringContaining("outside audit key") });
  });

  it("a genuine checkpoint of another log: wrong tenant", async () => {
    const archive = fx.archive();
    const payload = payloadOf(archive, id(0));
    replaceCheckpoint(archive, id(0), signCheckpoint({ ...payload, tenant: "platform" }, fx.retired));
    expect(await firstBreak(archive)).toMatchObject({ stage: "checkpoint", seq: 40, reason: expect.stringContaining(`for log platform, not ${fx.tenant}`) });
  });

  it("missing for a segment", async () => {
    const archive = fx.archive();
    archive.checkpoints = archive.checkpoints.filter((c) => !c.payload.includes(id(1)));
    expect(await firstBreak(archive)).toMatchObject({ stage: "checkpoint", seq: 80, reason: `segment ${id(1)} has no checkpoint` });
  });
});

describe("the rest of the log and the keys", () => {
  it("a checkpoint made on demand after the archive's end: missing events, unless they are in the vault", async () => {
    const archive = fx.archive();
    const later = makeEvents({ tenant: fx.tenant, firstSeq: 201, prevHash: fx.events.at(-1)?.hash, count: 30, seed: 5 }).at(-1) as AuditEvent;
    const payload: CheckpointPayload = {
      format: CHECKPOINT_FORMAT, tenant: fx.tenant, seq: 230, hash: later.hash, time: new Date(ROTATED_AT + 60_000).toISOString(),
      segment: null, segment_sha256: null, key_id: fx.current.view.key_id,
    };
    archive.checkpoints.push(signCheckpoint(payload, fx.current));
    expect(await firstBreak(archive)).toMatchObject({ stage: "coverage", seq: 201, reason: "events 201..230 named by checkpoint at seq 230 (on demand) are missing from the archive" });
    expect(await run(archive, { restInVault: true })).toMatchObject({ valid: true, to_seq: 200, checkpoints: 7 });
  });

  it("an event of another tenant inside a segment", async () => {
    const archive = fx.archive();
    await resealed(archive, 0, (events) => events.map((e) => (e.seq === 3 ? { ...e, tenant_id: "platform" } : e)));
    expect(await firstBreak(archive)).toMatchObject({ stage: "chain", seq: 3, reason: expect.stringContaining("of log platform") });
  });

  it("a key whose id is not its thumbprint, or whose PEM is another key", async () => {
    const archive = fx.archive();
    const [current, retired] = archive.keys as [ArchiveCopy["keys"][number], ArchiveCopy["keys"][number]];
    archive.keys = [{ ...current, key_id: retired.key_id }, current];
    expect(await firstBreak(archive)).toMatchObject({ stage: "keys", reason: expect.stringContaining("thumbprint") });
    archive.keys = [{ ...current, public_key: { ...current.public_key, pem: retired.public_key.pem ?? "" } }, retired];
    expect(await firstBreak(archive)).toMatchObject({ stage: "keys", reason: expect.stringContaining("PEM") });
  });
});

describe("any single change is seen (property)", () => {
  it("one byte of any segment object, or one character of any checkpoint's payload or signature", async () => {
    const base = fx.archive();
    const sizes = base.manifest.map((line) => line.bytes);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ kind: fc.constant("segment" as const), n: fc.nat(sizes.length - 1), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
          fc.record({ kind: fc.constantFrom("payload" as const, "signature" as const), n: fc.nat(base.checkpoints.length - 1), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
        ),
        async ({ kind, n, at, bit }) => {
          const archive = fx.archive();
          if (kind === "segment") {
            const line = archive.manifest[n] as ArchiveCopy["manifest"][number];
            const bytes = new Uint8Array(archive.segments.get(line.segment) as Uint8Array);
            const i = at % bytes.length;
            bytes[i] = (bytes[i] ?? 0) ^ (1 << bit);
            archive.segments.set(line.segment, bytes);
          } else {
            const signed = archive.checkpoints[n] as ArchiveCopy["checkpoints"][number];
            const text = signed[kind];
            const i = at % text.length;
            const swapped = text[i] === "A" ? "B" : "A";
            archive.checkpoints[n] = { ...signed, [kind]: text.slice(0, i) + swapped + text.slice(i + 1) };
          }
          expect((await run(archive)).valid).toBe(false);
        },
      ),
      { numRuns: 30 },
    );
  });
});
