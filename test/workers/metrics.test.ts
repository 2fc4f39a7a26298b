import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { METRICS_SHARDS, shardName } from "../../workers/gateway/src/metrics/recorder.ts";
import { createTenant, expectProblem, request } from "./helpers.ts";

async function scrape(): Promise<string> {
  const response = await request("GET", "/metrics", { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  return response.text();
}

/** Series → value, from Prometheus text. */
function parse(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(\S+) (\d+)$/.exec(line);
    if (match) values.set(match[1] as string, Number(match[2]));
  }
  return values;
}

describe("GET /metrics", () => {
  it("needs a Bearer token: nothing, a wrong token and a tenant API key are all 401", async () => {
    const tenant = await createTenant();
    await expectProblem(await request("GET", "/metrics"), 401, "invalid_admin_token");
    await expectProblem(await request("GET", "/metrics", { headers: { authorization: "Bearer nope" } }), 401, "invalid_admin_token");
    await expectProblem(await request("GET", "/metrics", { token: tenant.token }), 401, "invalid_admin_token");
    await expectProblem(await request("GET", "/metrics", { headers: { authorization: `Bearer ${tenant.token}` } }), 401, "invalid_admin_token");
  });

  it("counts requests by route pattern and status, and rate-limited requests, without tenant data", async () => {
    const tenant = await createTenant({ limits: { burst: 2, rate_per_second: 1 } });
    const before = parse(await scrape());
    for (let i = 0; i < 4; i++) await request("GET", "/v1/tenant", { token: tenant.token });
    await request("GET", "/v1/nothing-here");
    const text = await scrape();
    const after = parse(text);
    const delta = (series: string) => (after.get(series) ?? 0) - (before.get(series) ?? 0);
    expect(text).toContain("# TYPE pqkms_requests_total counter");
    expect(delta('pqkms_requests_total{method="GET",operation="tenant.read",route="/v1/tenant",status="200"}')).toBe(2);
    expect(delta('pqkms_requests_total{method="GET",operation="tenant.read",route="/v1/tenant",status="429"}')).toBe(2);
    expect(delta('pqkms_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(delta("pqkms_rate_limited_total")).toBe(2);
    expect(text).not.toContain(tenant.id);
    expect(text).not.toContain(tenant.token.slice(0, 12));
  });
});

describe("the MetricsStore shards", () => {
  it("are summed by /metrics: counts held by different shards show as one total", async () => {
    const series = 'pqkms_dependency_failures_total{dependency="shard-test"}';
    const before = parse(await scrape()).get(series) ?? 0;
    const shard = (n: number) => env.METRICS.get(env.METRICS.idFromName(shardName(n)));
    await shard(0).add([{ name: "pqkms_dependency_failures_total", labels: 'dependency="shard-test"', value: 2 }]);
    await shard(METRICS_SHARDS - 1).add([{ name: "pqkms_dependency_failures_total", labels: 'dependency="shard-test"', value: 5 }]);
    const text = await scrape();
    expect(parse(text).get(series)).toBe(before + 7);
    expect(text.split("\n").filter((line) => line.startsWith(series))).toHaveLength(1);
  });
});
