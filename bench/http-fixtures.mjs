// The API side of bench/http.mjs: a tenant and its API key, the tenant's rate limit lifted for the
// run (and put back), the keys and inputs each measured request needs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { root } from "./lib.mjs";

export async function call(base, method, url, { token, admin, body } = {}) {
  const headers = { "content-type": "application/json" };
  if (token) headers["x-api-key"] = token;
  if (admin) headers.authorization = `Bearer ${admin}`;
  const response = await fetch(new URL(url, base), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

export async function must(base, method, url, options, expected = [200]) {
  const r = await call(base, method, url, options);
  if (!expected.includes(r.status)) throw new Error(`${method} ${url}: ${r.status} ${r.text.slice(0, 500)}`);
  return r.json;
}

/** A key of this algorithm named for the benchmark, reused across runs so the tenant does not fill up. */
async function benchKey(base, token, algorithm) {
  const name = `pqkms-bench ${algorithm}`;
  let cursor;
  for (let page = 0; page < 20; page++) {
    const q = new URLSearchParams({ algorithm, state: "enabled", limit: "100", ...(cursor ? { cursor } : {}) });
    const list = await must(base, "GET", `/v1/keys?${q}`, { token });
    const found = list.keys.find((k) => k.name === name);
    if (found) return found.id;
    if (!list.next_cursor) break;
    cursor = list.next_cursor;
  }
  const created = await call(base, "POST", "/v1/keys", { token, body: { algorithm, name, labels: { purpose: "bench" } } });
  if (created.status === 200 || created.status === 201) return created.json.id;
  throw new Error(
    `POST /v1/keys (${algorithm}): ${created.status} ${created.text.slice(0, 300)}\n` +
      "If the demo tenant's vault was made by an older build (local state in .wrangler/state), run with --tenant bench or start from a fresh local state.",
  );
}

function demoToken() {
  const file = path.join(root, ".wrangler", "demo-tenant.json");
  const token = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).token : undefined;
  if (!token) throw new Error("no API key: set PQKMS_API_KEY, or run npm start once to create the demo tenant");
  return token;
}

/** A tenant of the benchmark's own (plan pro). `remember`: kept in .wrangler/bench-tenant.json and reused. */
async function benchTenant(base, admin, remember) {
  const file = path.join(root, ".wrangler", "bench-tenant.json");
  if (remember && existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8"));
    if ((await call(base, "GET", "/v1/tenant", { token: saved.token })).status === 200) return saved.token;
  }
  if (!admin) throw new Error("a bench tenant needs ADMIN_TOKEN (or .dev.vars) to create it");
  const created = await must(base, "POST", "/admin/v1/tenants", { admin, body: { name: "pqkms-bench", plan: "pro" } }, [201]);
  if (remember) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ tenant_id: created.tenant.id, token: created.api_key.token }, null, 2), { mode: 0o600 });
  }
  return created.api_key.token;
}

/**
 * The tenant to load: `fresh` (a new one on a fresh store), `demo` (npm start's demo tenant) or
 * `bench` (one of its own, remembered). Lifts its rate limit so the limiter's decision is not what
 * is measured (the limiter still runs on every request); returns the token and a restore().
 */
export async function prepareTenant(base, admin, mode) {
  const token = process.env.PQKMS_API_KEY ?? (mode === "demo" ? demoToken() : await benchTenant(base, admin, mode === "bench"));
  const tenant = await must(base, "GET", "/v1/tenant", { token });
  if (!admin) return { token, note: "rate limit left as it was (no ADMIN_TOKEN)", restore: async () => undefined };
  const before = await must(base, "GET", `/admin/v1/tenants/${tenant.id}`, { admin });
  const previous = { rate_per_second: before.limit_overrides.rate_per_second, burst: before.limit_overrides.burst };
  const lifted = { rate_per_second: 1_000_000, burst: 1_000_000 };
  await must(base, "PATCH", `/admin/v1/tenants/${tenant.id}`, { admin, body: { limits: lifted } });
  // The gateway may serve a resolved API key from memory for a few seconds: wait for the new limits.
  for (let i = 0; i < 60; i++) {
    const now = await must(base, "GET", "/v1/tenant", { token });
    if (now.limits.rate_per_second === lifted.rate_per_second) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    token,
    note: `${mode} tenant; rate limit lifted to ${lifted.rate_per_second}/s for the run (was ${before.limits.rate_per_second}/s, restored after)`,
    restore: () => must(base, "PATCH", `/admin/v1/tenants/${tenant.id}`, { admin, body: { limits: previous } }),
  };
}

export const SCENARIOS = ["health", "tenant", "encrypt", "decrypt", "sign", "verify"];

/** The requests to measure (only those in `only`), each checked later to answer 200. */
export async function scenarios(base, token, only) {
  const json = { "content-type": "application/json" };
  const auth = { "x-api-key": token, ...json };
  const out = {
    health: { title: "GET /health", method: "GET", path: "/health", headers: {} },
    tenant: { title: "GET /v1/tenant", method: "GET", path: "/v1/tenant", headers: auth },
  };
  const post = (title, url, body) => ({ title, method: "POST", path: url, headers: auth, body: JSON.stringify(body) });
  if (only.includes("encrypt") || only.includes("decrypt")) {
    const kem = await benchKey(base, token, "ML-KEM-768");
    const plaintext = Buffer.alloc(32, 7).toString("base64");
    out.encrypt = post("POST /v1/keys/:id/encrypt (ML-KEM-768, 32 bytes)", `/v1/keys/${kem}/encrypt`, { plaintext });
    const { ciphertext } = await must(base, "POST", `/v1/keys/${kem}/encrypt`, { token, body: { plaintext } });
    out.decrypt = post("POST /v1/keys/:id/decrypt (ML-KEM-768, 32 bytes)", `/v1/keys/${kem}/decrypt`, { ciphertext });
  }
  if (only.includes("sign") || only.includes("verify")) {
    const dsa = await benchKey(base, token, "ML-DSA-65");
    const message = Buffer.alloc(64, 9).toString("base64");
    out.sign = post("POST /v1/keys/:id/sign (ML-DSA-65, 64 bytes)", `/v1/keys/${dsa}/sign`, { message });
    const { signature } = await must(base, "POST", `/v1/keys/${dsa}/sign`, { token, body: { message } });
    out.verify = post("POST /v1/keys/:id/verify (ML-DSA-65, 64 bytes)", `/v1/keys/${dsa}/verify`, { message, signature });
  }
  return out;
}
