/**
 * /docs through the real gateway: an API reference page whose scripts and styles all come from
 * this origin (Workers Static Assets via the Worker, no CDN, no inline script), with strict
 * security headers on the page and on every file it loads, and no credential needed.
 */
import { describe, expect, it } from "vitest";
import { expectProblem, request } from "./helpers.ts";

function expectDocsHeaders(response: Response): void {
  const csp = response.headers.get("content-security-policy") ?? "";
  const directive = (name: string) => csp.split(";").map((d) => d.trim()).find((d) => d.startsWith(`${name} `));
  expect(directive("default-src")).toBe("default-src 'none'");
  expect(directive("script-src")).toBe("script-src 'self'");
  expect(directive("style-src")).toBe("style-src 'self'");
  expect(directive("frame-ancestors")).toBe("frame-ancestors 'none'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
}

async function page(): Promise<{ response: Response; html: string }> {
  const response = await request("GET", "/docs");
  return { response, html: await response.text() };
}

describe("/docs", () => {
  it("is an HTML page with strict headers that loads only same-origin scripts, none inline", async () => {
    const { response, html } = await page();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expectDocsHeaders(response);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/docs\/[\w.-]+\.js"/);
      expect(body?.trim()).toBe("");
    }
    expect(html).not.toMatch(/\sstyle=|<style/i);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it("serves every script and stylesheet the page loads, with a matching content type and the same headers", async () => {
    const { html } = await page();
    const files = [...html.matchAll(/(?:src|href)="(\/docs\/[\w.-]+)"/g)].map((m) => m[1] as string);
    expect(files).toEqual(expect.arrayContaining(["/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/init.js"]));
    for (const file of files) {
      const response = await request("GET", file);
      expect(response.status, file).toBe(200);
      const type = response.headers.get("content-type") ?? "";
      expect(type, file).toMatch(file.endsWith(".js") ? /^(?:text|application)\/javascript/ : /^text\/css/);
      expectDocsHeaders(response);
      expect((await response.text()).length, file).toBeGreaterThan(0);
    }
  });

  it("the renderer is the real bundle, and the start-up script points it at /openapi.json with no third-party validator", async () => {
    expect(await (await request("GET", "/docs/swagger-ui-bundle.js")).text()).toContain("SwaggerUIBundle");
    const init = await (await request("GET", "/docs/init.js")).text();
    expect(init).toContain('url: "/openapi.json"');
    expect(init).toContain("validatorUrl: null");
  });

  it("answers 404 for any other file, and never reaches outside its folder", async () => {
    for (const path of ["/docs/nothing.js", "/docs/index.html", "/docs/..%2Fwrangler.toml", "/docs/%2e%2e%2fpackage.json"]) {
      await expectProblem(await request("GET", path), 404, "not_found");
    }
  });
});
