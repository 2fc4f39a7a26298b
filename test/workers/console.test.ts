/**
 * /console through the real gateway: one HTML shell whose script and stylesheet are same-origin
 * files (Workers Static Assets via the Worker), strict security headers on the page and on each
 * file, no credential needed, and nothing else served under /console.
 */
import { describe, expect, it } from "vitest";
import { expectProblem, request } from "./helpers.ts";

function expectConsoleHeaders(response: Response): void {
  const csp = response.headers.get("content-security-policy") ?? "";
  const directive = (name: string) => csp.split(";").map((d) => d.trim()).find((d) => d.startsWith(`${name} `));
  expect(directive("default-src")).toBe("default-src 'self'");
  expect(directive("script-src")).toBe("script-src 'self'");
  expect(directive("style-src")).toBe("style-src 'self'");
  expect(directive("connect-src")).toBe("connect-src 'self'");
  expect(directive("frame-ancestors")).toBe("frame-ancestors 'none'");
  expect(directive("require-trusted-types-for")).toBe("require-trusted-types-for 'script'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
}

describe("/console", () => {
  it("is an HTML shell with strict headers that loads only same-origin files, no inline script or style", async () => {
    const response = await request("GET", "/console");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expectConsoleHeaders(response);
    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]?.[1]).toContain('src="/console/app.js"');
    expect(scripts[0]?.[2]?.trim()).toBe("");
    expect(html).not.toMatch(/\sstyle=|<style/i);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it("serves its built script and stylesheet with matching types and the same headers", async () => {
    for (const [file, type] of [["/console/app.js", /^(?:text|application)\/javascript/], ["/console/app.css", /^text\/css/]] as const) {
      const response = await request("GET", file);
      expect(response.status, file).toBe(200);
      expect(response.headers.get("content-type") ?? "", file).toMatch(type);
      expectConsoleHeaders(response);
      expect((await response.text()).length, file).toBeGreaterThan(100);
    }
  });

  it("serves nothing else under /console, and no credential is needed for the shell", async () => {
    await expectProblem(await request("GET", "/console/other.js"), 404, "not_found");
    await expectProblem(await request("GET", "/console/..%2Fdocs%2Fswagger-ui.css"), 404, "not_found");
  });
});
