/**
 * The Bearer credential reader (workers/gateway/src/http/bearer.ts, RFC 6750 §2.1) that tenant API
 * keys, the admin token and the metrics token all go through: what counts as a token, and what does not.
 */
import { describe, expect, it } from "vitest";
import { bearerToken } from "../../../workers/gateway/src/http/bearer.ts";

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
