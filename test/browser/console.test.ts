/**
 * The web console in a real browser: Debian's Chromium (/usr/bin/chromium) driven by playwright-core,
 * against the three Workers started as `wrangler dev` runs them (interop harness). One browser per
 * file. It signs in with a tenant API key, creates a key, encrypts and decrypts a text, rotates,
 * reads the audit log with the chain verified, shows a key named like an HTML tag as text without
 * running it, greys out what a narrower key cannot do, returns to sign-in when the key is revoked,
 * serves /console with its CSP, and passes an axe-core scan with no serious or critical violation.
 * The "try it" panel shows the `pqkms` command beside curl (run as shown, it does the same); the
 * usage page charts today's count;
 * the platform pages list tenants and set a limit override.
 * Screenshots of the main pages go to test/artifacts/console/ (git-ignored).
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, sharedApi, type Api } from "../node/interop/harness.ts";
import { TEST_SECRETS } from "../support/workers-setup.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = path.resolve(import.meta.dirname, "../artifacts/console");
const XSS_NAME = "<img src=x onerror=alert(1)>";
const axeSource = (createRequire(import.meta.url)("axe-core") as { source: string }).source;

let api: Api;
let token: string;
let profile: string;
let browser: BrowserContext;
let page: Page;
/** Every alert/confirm/prompt the page opened: a script a tenant's text smuggled in would show here. */
const dialogs: string[] = [];
let keyId = "";

/** expect.poll's own default (1 s) is short for a busy machine: the same bound as every locator's. */
const POLL = { timeout: 10_000 };
/** A screenshot's bound, and each test's: several locator waits and a screenshot must fit in one test. */
const SHOT_TIMEOUT = 30_000;
const TEST_TIMEOUT = 90_000;

const consoleUrl = (hash = "") => new URL(`/console${hash}`, api.url).toString();

/**
 * A screenshot (an artifact, not an assertion): the whole page, or the viewport scrolled to `part`
 * where the page is long. Chromium rasters in software here, and a full-page capture of a key page
 * after signing (signature, both commands, the public key in four formats: ~5000 px of dense text)
 * takes seconds where a viewport takes 0.2 s. Screenshots get their own bound, above a locator's.
 */
async function shot(name: string, part?: Locator): Promise<void> {
  await part?.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: part === undefined, animations: "disabled", caret: "hide", timeout: SHOT_TIMEOUT });
}

/** The `pqkms` bin of this repository (clients/js/bin → dist/cli.js, built by npm run client:build). */
const PQKMS_BIN = path.resolve(import.meta.dirname, "../../clients/js/bin/pqkms.js");

/**
 * Runs a command line exactly as the console shows it, in `sh`, with `pqkms` on PATH and only the
 * API key in the environment (as $PQKMS_API_KEY, which the line reads). Its cwd is a scratch
 * directory, also its HOME, so no config file is read.
 */
function runShown(line: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pqkms-console-cli-"));
  const shim = path.join(dir, "pqkms");
  writeFileSync(shim, `#!/bin/sh\nexec '${process.execPath}' '${PQKMS_BIN}' "$@"\n`);
  chmodSync(shim, 0o755);
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", line], { cwd: dir, env: { PATH: `${dir}:${process.env.PATH ?? ""}`, HOME: dir, PQKMS_API_KEY: token }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}

async function signIn(credential: string): Promise<void> {
  await page.goto(consoleUrl());
  await page.getByRole("textbox", { name: "API key" }).fill(credential);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

async function signOut(): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
}

/** axe-core's WCAG scan of the page as it stands; its source is evaluated over CDP (the page's CSP allows no inline script). */
async function seriousViolations(): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] }> } }).axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}) at ${v.targets.join(" ")}`);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's chromium package (apt-get install -y chromium; .ci/run installs it)`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  api = sharedApi();
  token = await createTenant(api, "console");
  profile = mkdtempSync(path.join(os.tmpdir(), "pqkms-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 900 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  // Fail a missing element well within the test's own timeout, with Playwright's message.
  page.setDefaultTimeout(10_000);
  page.on("dialog", (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

// One session, as a person uses the console: signed in, then a key made and used in the tests after
// it. So the tests keep their order under --sequence.shuffle.
describe("the web console in Chromium", { timeout: TEST_TIMEOUT, shuffle: false }, () => {
  it("serves /console and its files with a strict CSP, nosniff and no referrer", async () => {
    for (const file of ["/console", "/console/app.js", "/console/app.css"]) {
      const response = await fetch(new URL(file, api.url));
      expect(response.status, file).toBe(200);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp, file).toContain("default-src 'self'");
      expect(csp, file).toContain("script-src 'self'");
      expect(csp, file).toContain("frame-ancestors 'none'");
      expect(csp, file).toContain("connect-src 'self'");
      expect(csp, file).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      expect(response.headers.get("x-content-type-options"), file).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), file).toBe("no-referrer");
      await response.arrayBuffer();
    }
  });

  it("signs in with a tenant API key, kept in sessionStorage only", async () => {
    await page.goto(consoleUrl());
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await shot("sign-in");
    // The browser enforces the CSP's Trusted Types: a string written to an HTML sink throws.
    const write = await page.evaluate(() => {
      try {
        document.body.insertAdjacentHTML("beforeend", "<b>injected</b>");
        return "written";
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(write).toBe("TypeError");
    await signIn(token);
    await page.getByRole("heading", { name: "Keys" }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(1);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });

  it("creates a key and opens its page", async () => {
    await page.getByLabel("Name", { exact: true }).first().fill("orders key");
    await page.getByLabel("Algorithm").first().selectOption("AES-256-GCM");
    await page.getByRole("button", { name: "Create key" }).click();
    await page.getByRole("heading", { name: "orders key" }).waitFor();
    expect(await page.title()).toBe("Key · pqkms console");
    keyId = decodeURIComponent(new URL(page.url()).hash.replace("#/keys/", ""));
    expect(keyId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("encrypts and decrypts a text, and shows the curl command without the credential", async () => {
    const text = "Grüße from Chromium, 'quoted' & <tagged>";
    await page.getByLabel("Plaintext").fill(text);
    await page.getByRole("button", { name: "Encrypt" }).click();
    await page.getByText("Encrypted with version 1.").waitFor();
    expect(await page.getByLabel("Ciphertext").inputValue()).toMatch(/^[A-Za-z0-9+/=_-]{40,}$/);
    await page.getByRole("button", { name: "Decrypt" }).click();
    await page.getByText(`Decrypted with version 1: ${text}`).waitFor();
    const curl = await page.getByLabel("curl command", { exact: true }).textContent();
    const origin = new URL(api.url).origin;
    expect(curl).toContain(`${origin}/v1/keys/${keyId}/decrypt`);
    expect(curl).toContain("$PQKMS_API_KEY");
    expect(curl).not.toContain(token);
    // The pqkms command of the same decrypt: the envelope shown, on stdin, as base64.
    const ciphertext = await page.getByLabel("Ciphertext").inputValue();
    const cli = page.getByLabel("pqkms command", { exact: true });
    expect(await cli.textContent()).toBe(`printf '%s' '${ciphertext}' | pqkms --url '${origin}' decrypt --key '${keyId}' --base64`);
    expect(await cli.textContent()).not.toContain(token);
    // Run as shown, the pqkms line decrypts to the text.
    expect(existsSync(PQKMS_BIN.replace(/bin[/\\]pqkms\.js$/, "dist/cli.js")), "run npm run client:build").toBe(true);
    const decrypted = await runShown((await cli.textContent()) ?? "");
    expect(decrypted.stderr).toBe("");
    expect(decrypted).toMatchObject({ code: 0, stdout: text });
    await shot("key");
    // And of the encrypt before it, with the text quoted for the shell.
    await page.getByRole("button", { name: "Encrypt" }).click();
    await expect.poll(() => cli.textContent(), POLL).toBe(`printf '%s' 'Grüße from Chromium, '\\''quoted'\\'' & <tagged>' | pqkms --url '${origin}' encrypt --key '${keyId}' --base64`);
  });

  it("rotates behind a confirmation that says what happens", async () => {
    await page.getByRole("button", { name: "Rotate" }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.textContent(), POLL).toContain("Version 2 is created and becomes the primary version");
    await dialog.getByRole("button", { name: "Rotate" }).click();
    await page.getByRole("cell", { name: "2 (primary)" }).waitFor();
    const before = await page.getByRole("button", { name: "Schedule deletion" }).count();
    expect(before).toBe(1);
    await page.getByRole("button", { name: "Schedule deletion" }).click();
    const date = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await expect.poll(() => dialog.textContent(), POLL).toContain(`destroyed on ${date}`);
    await shot("confirm-deletion");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await api.call<{ state: string; primary_version: number }>("GET", `/v1/keys/${keyId}`, { auth: token })).toMatchObject({ state: "enabled", primary_version: 2 });
  });

  it("shows a key named like an HTML tag as text and runs nothing", async () => {
    await api.call("POST", "/v1/keys", { auth: token, body: { algorithm: "ML-DSA-65", name: XSS_NAME, description: XSS_NAME }, status: 201 });
    await page.goto(consoleUrl("#/keys"));
    await page.getByRole("link", { name: XSS_NAME }).click();
    await page.getByRole("heading", { name: XSS_NAME }).waitFor();
    await page.getByRole("heading", { name: /Public key/ }).waitFor();
    await page.getByLabel("Public key, pem").waitFor();
    expect(await page.locator("img").count()).toBe(0);
    expect(dialogs).toEqual([]);
    // Sign a text: the pqkms line says exactly that.
    const signer = decodeURIComponent(new URL(page.url()).hash.replace("#/keys/", ""));
    await page.getByLabel("Message").fill("release 1.0");
    await page.getByRole("button", { name: "Sign", exact: true }).click();
    await page.getByText(/^Signed with version 1\./).waitFor();
    expect(await page.getByLabel("pqkms command", { exact: true }).textContent()).toBe(
      `printf '%s' 'release 1.0' | pqkms --url '${new URL(api.url).origin}' sign --key '${signer}' --base64`,
    );
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText("Valid signature (version 1).").waitFor();
    const verifyLine = (await page.getByLabel("pqkms command", { exact: true }).textContent()) ?? "";
    expect(verifyLine).toMatch(/ verify --key '[0-9a-f-]{36}' --signature signature\.b64 --base64$/);
    // Run as shown, the verify line checks the signature the console made (exit 0: valid).
    const verified = await runShown(verifyLine);
    expect(verified.stderr).toBe("");
    expect(verified.code).toBe(0);
    await shot("key-sign", page.getByRole("region", { name: "Try it" }));
    await page.goto(consoleUrl("#/keys"));
    await page.getByRole("link", { name: XSS_NAME }).waitFor();
    await shot("keys");
    // The list's filters are the API's: by algorithm, only the signing key is left.
    await page.getByRole("form", { name: "Filter keys" }).getByLabel("Algorithm").selectOption("ML-DSA-65");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByRole("link", { name: "orders key" }).waitFor({ state: "detached" });
    await page.getByRole("link", { name: XSS_NAME }).waitFor();
    await expect.poll(() => page.locator("table.list tbody tr").count(), POLL).toBe(1);
    expect(await page.locator("img").count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("shows the audit log newest first with the chain verified", async () => {
    await page.goto(consoleUrl("#/audit"));
    const badge = page.getByTestId("chain-badge");
    await expect.poll(() => badge.textContent(), POLL).toMatch(/^chain verified/);
    expect(await badge.getAttribute("class")).toContain("ok");
    // The badge and the rows come from two calls: wait for the rows too.
    const cells = page.locator("tr.event td:nth-child(3)");
    await expect.poll(() => cells.allTextContents(), POLL).toEqual(expect.arrayContaining(["keys.create", "crypto.encrypt", "crypto.decrypt", "keys.rotate"]));
    const operations = await cells.allTextContents();
    expect(operations.indexOf("keys.rotate")).toBeLessThan(operations.indexOf("crypto.encrypt"));
    const seqs = (await page.locator("tr.event td:first-child").allTextContents()).map(Number);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    await page.locator("tr.event button").first().click();
    await page.locator("dl.record").getByText("prev_hash").waitFor();
    await shot("audit");
  });

  it("finds no serious or critical accessibility violation on the main pages", async () => {
    const found: string[] = [];
    for (const hash of ["#/keys", `#/keys/${keyId}`, "#/audit", "#/api-keys", "#/rules"]) {
      await page.goto(consoleUrl(hash));
      await page.locator("main h1").first().waitFor();
      await page.waitForLoadState("networkidle");
      found.push(...(await seriousViolations()).map((v) => `${hash}: ${v}`));
    }
    await signOut();
    found.push(...(await seriousViolations()).map((v) => `sign-in: ${v}`));
    expect(found).toEqual([]);
  });

  it("greys out what a narrower key cannot do, naming the missing scope", async () => {
    const auditor = await api.call<{ token: string }>("POST", "/v1/api-keys", { auth: token, body: { name: "auditor", role: "auditor" }, status: 201 });
    await signIn(auditor.token);
    const create = page.getByRole("button", { name: "Create key" });
    await create.waitFor();
    expect(await create.isDisabled()).toBe(true);
    await page.getByText("This API key lacks the keys:write scope").first().waitFor();
    await page.getByText("This API key lacks the api-keys:manage scope").first().waitFor();
    expect(await page.getByRole("link", { name: "API keys" }).count()).toBe(0);
    await signOut();
  });

  it("charts this month's usage per day, today's count included, with a table and no serious accessibility violation", async () => {
    await signIn(token);
    await page.goto(consoleUrl("#/usage"));
    const today = new Date().toISOString().slice(0, 10);
    const row = page.getByRole("row", { name: new RegExp(`^${today} `) });
    await row.waitFor();
    // The page's own read is counted in what it shows; this read is one more.
    const usage = await api.call<{ operations: number; monthly_operations: number; days: { date: string; operations: number }[] }>("GET", "/v1/usage", { auth: token });
    const shown = (usage.days.find((d) => d.date === today)?.operations ?? 0) - 1;
    expect(shown).toBeGreaterThan(5);
    expect(await row.locator("td").first().textContent()).toBe(shown.toLocaleString("en"));
    const chart = page.getByRole("img", { name: `Operations used in ${today.slice(0, 7)}, by day, against the monthly quota` });
    expect(await chart.locator("desc").textContent()).toContain(`Latest day with operations: ${today}, ${shown.toLocaleString("en")} that day.`);
    expect(await chart.locator("rect title").allTextContents()).toContain(
      `${today}: ${shown.toLocaleString("en")} operations that day, ${(usage.operations - 1).toLocaleString("en")} this month by its end`,
    );
    expect(await chart.locator("line.quota").count()).toBe(1);
    expect(await chart.locator("text.quota-label").textContent()).toBe(`quota ${usage.monthly_operations.toLocaleString("en")}`);
    expect(await page.title()).toBe("Usage · pqkms console");
    expect(await seriousViolations()).toEqual([]);
    await shot("usage");
    await signOut();
  });

  it("signs in with the admin token to the platform pages: fail-open status, create and suspend a tenant", async () => {
    await page.goto(consoleUrl());
    await page.getByRole("radio", { name: "the platform admin token" }).check();
    await page.getByRole("textbox", { name: "Admin token" }).fill(TEST_SECRETS.ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Emergency fail-open" }).waitFor();
    await page.getByText("off: an unreachable policy engine answers 503").waitFor();
    await page.getByLabel("Tenant name").fill("made in the console");
    await page.getByRole("button", { name: "Create tenant" }).click();
    const firstKey = (await page.getByLabel("The new tenant's API key", { exact: true }).textContent()) ?? "";
    expect(firstKey).toMatch(/^pqk_/);
    // The tenant list (GET /admin/v1/tenants) shows it, and "Manage" opens it.
    const list = page.getByRole("table", { name: "Tenants" });
    await list.getByRole("cell", { name: "made in the console", exact: true }).waitFor();
    await list.getByRole("button", { name: "Manage console" }).click();
    await page.getByRole("heading", { name: "console", exact: true }).waitFor();
    await list.getByRole("button", { name: "Manage made in the console" }).click();
    await page.getByRole("heading", { name: "made in the console" }).waitFor();
    // A limit override, behind a confirmation that states it.
    await page.getByRole("form", { name: "Limit overrides of made in the console" }).getByLabel("Operations a month").fill("1234");
    await page.getByRole("button", { name: "Save limits…" }).click();
    await expect.poll(() => page.getByRole("dialog").textContent(), POLL).toContain("Operations a month: 1234");
    await page.getByRole("dialog").getByRole("button", { name: "Change limits" }).click();
    await page.getByText("1234 operations a month").waitFor();
    await page.getByRole("button", { name: "Suspend…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Suspend" }).click();
    await page.getByRole("button", { name: "Reactivate…" }).waitFor();
    expect((await api.request("GET", "/v1/tenant", { auth: firstKey })).status).toBe(403);
    expect(await seriousViolations()).toEqual([]);
    await shot("platform");
    await signOut();
  });

  it("a revoked API key sends the console back to sign-in", async () => {
    await signIn(token);
    await page.goto(consoleUrl("#/api-keys"));
    await page.getByLabel("Name").fill("to be revoked");
    await page.getByRole("button", { name: "Create API key" }).click();
    const shown = page.getByLabel("The new API key's token", { exact: true });
    await shown.waitFor();
    await shot("api-keys");
    const revocable = (await shown.textContent()) ?? "";
    expect(revocable).toMatch(/^pqk_/);
    await signOut();

    await signIn(revocable);
    const own = await api.call<{ api_keys: { id: string; name: string }[] }>("GET", "/v1/api-keys", { auth: token });
    const id = own.api_keys.find((k) => k.name === "to be revoked")?.id;
    expect(await (await api.request("DELETE", `/v1/api-keys/${id}`, { auth: token })).status).toBe(204);
    // The next call the console makes (here: the key list, filtered again) is answered 401.
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await page.getByText("The API refused this credential (401)").waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(dialogs).toEqual([]);
  });
});
