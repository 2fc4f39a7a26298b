/**
 * `POST /run`: one operation (or a floor) `n` times, back to back or `concurrency` in flight, in one
 * request; answers how far workerd's own clocks moved meanwhile (the caller times it from outside).
 */
import { isAlgorithmName, type SignatureAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { CALL, CATALOG, SLOW, type Env, type Op, type Path } from "./catalog.ts";
import { fixture, prepareSlowSign } from "./fixtures.ts";

export interface RunRequest {
  algorithm?: string;
  op?: string;
  path?: string;
  n?: number;
  /** Operations in flight at once (default 1: back to back). */
  concurrency?: number;
  /** Slow vault signs only: set up a fresh tenant and key for the next timed sign (not timed itself). */
  prepare?: boolean;
}

export async function run(body: RunRequest, env: Env): Promise<Response> {
  const n = Number(body.n ?? 0);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) return Response.json({ error: "n: 0..100000" }, { status: 400 });
  let loop: () => unknown;
  if (body.op === "summary") {
    loop = () => env.KMS.vaultSummary(CALL);
  } else if (body.op === "health") {
    loop = () => env.KMS.health();
  } else if (body.op === "record") {
    // What every operation adds to the summary floor: one audit row in a write transaction.
    loop = () => env.KMS.recordEvent(CALL, { operation: "crypto.verify", keyId: null, outcome: "allowed", rule: null, severity: "info", detail: null });
  } else {
    const entry = CATALOG.find((c) => c.algorithm === body.algorithm && c.ops.includes(body.op as Op));
    if (!entry || !isAlgorithmName(body.algorithm) || !entry.paths.includes(body.path as Path)) {
      return Response.json({ error: `no ${String(body.path)} path for ${String(body.algorithm)} ${String(body.op)}` }, { status: 400 });
    }
    const f = await fixture(body.algorithm, env.KMS);
    if (body.prepare === true && body.path === "vault" && SLOW.has(`${body.algorithm} ${body.op}`)) {
      await prepareSlowSign(body.algorithm as SignatureAlgorithmName, env.KMS);
    }
    const step = f[body.op as Op]?.[body.path as Path];
    if (!step) return Response.json({ error: `no ${body.path} path for ${body.algorithm} ${body.op}` }, { status: 400 });
    loop = step;
  }
  const concurrency = Number(body.concurrency ?? 1);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) return Response.json({ error: "concurrency: 1..256" }, { status: 400 });
  let next = 0;
  const lane = async () => {
    while (next < n) {
      next++;
      await loop();
    }
  };
  const d0 = Date.now();
  const p0 = performance.now();
  if (concurrency === 1) for (let i = 0; i < n; i++) await loop();
  else await Promise.all(Array.from({ length: concurrency }, lane));
  const d1 = Date.now();
  const p1 = performance.now();
  return Response.json({ n, date_ms: d1 - d0, perf_ms: p1 - p0 });
}
