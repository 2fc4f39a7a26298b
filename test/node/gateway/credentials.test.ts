/**
 * The Bearer credential reader (workers/gateway/src/http/credentials.ts, RFC 6750 §2.1) that tenant API
 * keys, the admin token and the metrics token all go through: what counts as a token, and what does not.
 */
import { describe, expect, it } from "vitest";
import { bearerToken, extractApiKey } from "../../../workers/gateway/src/http/credentials.ts";

describe("bearerToken", () => {
  it.each([
    ["Bearer pqk_abc", "pqk_abc"],
    ["bearer pqk_abc", "pqk_abc"],
    ["BEARER pqk_abc", "pqk_abc"],
    ["Bearer   pqk_abc", "pqk_abc"],
    ["Bearer\tpqk_abc", "pqk_abc"],
    ["Bearer pqk_abc  ", "pqk_abc"],
    ["Bearer a=b/c+d", "a=b/c+d"],
  ])("reads %j as %j", (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    [undefined],
    [null],
    [""],
    ["Bearer"],
    ["Bearer "],
    ["Bearerpqk_abc"],
    [" Bearer pqk_abc"],
    ["Basic dXNlcjpwYXNz"],
    ["Token pqk_abc"],
    ["Bearer pqk_abc pqk_def"],
    ["Bearer pqk_abc, Bearer pqk_def"],
  ])("finds no token in %j", (header) => {
    expect(bearerToken(header)).toBeNull();
  });
});

describe("extractApiKey", () => {
  const headers = (init: Record<string, string>) => new Headers(init);

  it.each([
    [{ "x-api-key": "pqk_a" }, "pqk_a"],
    [{ "x-api-key": "  pqk_a  " }, "pqk_a"],
    [{ authorization: "Bearer pqk_a" }, "pqk_a"],
    [{ "x-api-key": "pqk_a", authorization: "Bearer pqk_a" }, "pqk_a"],
    [{ "x-api-key": "pqk_a", authorization: "Basic dXNlcjpwYXNz" }, "pqk_a"],
    [{ "x-api-key": "   ", authorization: "Bearer pqk_a" }, "pqk_a"],
  ])("takes the key from %j", (init, token) => {
    expect(extractApiKey(headers(init))).toEqual({ ok: true, value: token });
  });

  it.each([
    [{}],
    [{ "x-api-key": "" }],
    [{ "x-api-key": "   " }],
    [{ authorization: "Basic dXNlcjpwYXNz" }],
    [{ authorization: "Bearer" }],
  ])("answers missing_api_key for %j", (init) => {
    expect(extractApiKey(headers(init))).toEqual({
      ok: false,
      error: { code: "missing_api_key", detail: "Send the API key in the x-api-key header" },
    });
  });

  it("refuses two different keys as invalid_api_key", () => {
    expect(extractApiKey(headers({ "x-api-key": "pqk_a", authorization: "Bearer pqk_b" }))).toEqual({
      ok: false,
      error: { code: "invalid_api_key", detail: "x-api-key and Authorization carry different keys" },
    });
  });
});
