/**
 * The console's pure helpers (console/src/format.ts), and a check over its sources that nothing
 * writes HTML from a string: tenant-written text must reach the page only as text.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { base64ToText, curlCommand, dateAfterDays, missingScope, shellQuote, textToBase64 } from "../../console/src/format.ts";

const SOURCES = path.resolve(import.meta.dirname, "../../console/src");

describe("console helpers", () => {
  it("carries any UTF-8 text through base64 and back, as the API's byte fields expect", () => {
    const text = "Grüße 🔑 <b>&'\"\n";
    expect(textToBase64(text)).toBe(Buffer.from(text, "utf8").toString("base64"));
    expect(base64ToText(Buffer.from(text).toString("base64url"))).toBe(text);
  });

  it("quotes for a POSIX shell so that any text is one literal argument", () => {
    expect(shellQuote("it's $HOME `x`")).toBe(`'it'\\''s $HOME \`x\`'`);
  });

  it("builds the curl command of a call with the credential read from the environment", () => {
    const command = curlCommand("http://localhost:8787", { method: "POST", path: "/v1/keys/k/encrypt", body: { plaintext: "aGk=" } });
    expect(command).toBe(
      `curl -s -X POST 'http://localhost:8787/v1/keys/k/encrypt' -H "x-api-key: $PQKMS_API_KEY" -H 'content-type: application/json' -d '{"plaintext":"aGk="}'`,
    );
  });

  it("names the missing scope, and greys out nothing when the scopes are unknown", () => {
    expect(missingScope(["keys:read"], "keys:write")).toBe("This API key lacks the keys:write scope");
    expect(missingScope(["keys:read"], "keys:read")).toBeNull();
    expect(missingScope(null, "keys:write")).toBeNull();
  });

  it("dates a scheduled deletion by the calendar day, UTC", () => {
    expect(dateAfterDays(Date.UTC(2026, 11, 6, 23, 30), 30)).toBe("2027-01-05");
  });

  it("never builds HTML from strings in the console's sources", () => {
    const files = readdirSync(SOURCES, { recursive: true }).map(String).filter((f) => /\.tsx?$/.test(f));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const source = readFileSync(path.join(SOURCES, file), "utf8");
      expect(source, file).not.toMatch(/dangerouslySetInnerHTML|innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    }
  });
});
