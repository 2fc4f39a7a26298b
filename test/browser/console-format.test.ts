/**
 * The console's pure helpers (console/src/format.ts), and a check over its sources that nothing
 * writes HTML from a string: tenant-written text must reach the page only as text.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { base64ToText, curlCommand, dateAfterDays, missingScope, pqkmsCommand, sentOf, shellQuote, textToBase64 } from "../../console/src/format.ts";
import { usageSeries } from "../../console/src/usage-series.ts";

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

  it("gives the curl request and the pqkms line of each try-it call, texts quoted, the key from the environment", () => {
    const origin = "http://localhost:8787";
    expect(sentOf({ op: "sign", key: "k", message: "hi" })).toEqual({ method: "POST", path: "/v1/keys/k/sign", body: { message: "aGk=" } });
    expect(pqkmsCommand(origin, { op: "encrypt", key: "k", plaintext: "it's" })).toBe(`printf '%s' 'it'\\''s' | pqkms --url 'http://localhost:8787' encrypt --key 'k' --base64`);
    expect(pqkmsCommand(origin, { op: "decrypt", key: "k", ciphertext: "UFFL" })).toBe(`printf '%s' 'UFFL' | pqkms --url 'http://localhost:8787' decrypt --key 'k' --base64`);
    expect(pqkmsCommand(origin, { op: "verify", key: "k", message: "m", signature: "c2ln" })).toBe(
      `printf '%s' 'c2ln' > signature.b64 && printf '%s' 'm' | pqkms --url 'http://localhost:8787' verify --key 'k' --signature signature.b64 --base64`,
    );
  });

  it("charts every day of the month with its running total, none after today", () => {
    const { bars, top } = usageSeries({ period: "2026-02", monthly_operations: 100, days: [{ date: "2026-02-02", operations: 3 }, { date: "2026-02-04", operations: 2 }] }, "2026-02-05");
    expect(bars).toHaveLength(28);
    expect(bars.slice(0, 6).map((b) => [b.operations, b.total, b.future])).toEqual([[0, 0, false], [3, 3, false], [0, 3, false], [2, 5, false], [0, 5, false], [0, 5, true]]);
    expect(bars[3]!.percent).toBe("5.00 %");
    expect(top).toBe(100);
    // A quota lowered below what was used: the chart's top is the total.
    expect(usageSeries({ period: "2026-02", monthly_operations: 4, days: [{ date: "2026-02-01", operations: 9 }] }, "2026-02-01").top).toBe(9);
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
