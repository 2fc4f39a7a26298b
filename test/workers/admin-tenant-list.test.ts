/**
 * GET /admin/v1/tenants: every tenant, a page at a time in id order, with the cursor the previous
 * page gave; admin token only; a cursor the API did not issue is 400 naming the field.
 */
import { describe, expect, it } from "vitest";
import { createTenant, expectProblem, json, request } from "./helpers.ts";

interface TenantPage {
  tenants: { id: string; name: string; plan: string; status: string; limits: Record<string, number> }[];
  next_cursor: string | null;
}

async function page(query: string): Promise<TenantPage> {
  const response = await request("GET", `/admin/v1/tenants${query}`, { admin: true });
  expect(response.status, await response.clone().text()).toBe(200);
  return json<TenantPage>(response);
}

describe("the tenant list", () => {
  it("walks every tenant once, in id order, page by page", async () => {
    const made = await Promise.all(["list-a", "list-b", "list-c", "list-d", "list-e"].map((name) => createTenant({ name, plan: "pro" })));
    const seen: TenantPage["tenants"] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const next: TenantPage = await page(`?limit=2${cursor === null ? "" : `&cursor=${cursor}`}`);
      expect(next.tenants.length).toBeLessThanOrEqual(2);
      seen.push(...next.tenants);
      cursor = next.next_cursor;
      pages++;
    } while (cursor !== null);
    const ids = seen.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const tenant of made) expect(seen.find((t) => t.id === tenant.id)).toMatchObject({ plan: "pro", status: "active", limits: { monthly_operations: 5_000_000 } });
    // One row beyond the page is read to know whether another follows: no empty last page.
    expect(pages).toBe(Math.ceil(seen.length / 2));
  });

  it("ends with next_cursor null on a last page, every page before it full", async () => {
    // Other files' tenants share this D1, so walk to the end rather than expect one page.
    const tenant = await createTenant({ name: "list-single", plan: "free" });
    const pages: TenantPage[] = [];
    let cursor: string | null = null;
    do {
      const next: TenantPage = await page(`?limit=100${cursor === null ? "" : `&cursor=${cursor}`}`);
      pages.push(next);
      cursor = next.next_cursor;
    } while (cursor !== null);
    expect(pages.flatMap((p) => p.tenants).map((t) => t.id)).toContain(tenant.id);
    for (const full of pages.slice(0, -1)) expect(full.tenants).toHaveLength(100);
    expect(pages.at(-1)?.tenants.length).toBeGreaterThan(0);
  });

  it("needs the admin token, and refuses a cursor or limit it did not issue", async () => {
    const tenant = await createTenant({ name: "list-outsider", plan: "enterprise" });
    expect((await request("GET", "/admin/v1/tenants", { token: tenant.token })).status).toBe(401);
    expect((await request("GET", "/admin/v1/tenants")).status).toBe(401);
    const badCursor = await expectProblem(await request("GET", "/admin/v1/tenants?cursor=abc", { admin: true }), 400, "invalid_request");
    expect(badCursor.detail).toContain("cursor");
    const badLimit = await expectProblem(await request("GET", "/admin/v1/tenants?limit=0", { admin: true }), 400, "invalid_request");
    expect(badLimit.detail).toContain("limit");
  });
});
