/**
 * The problem a kms failure becomes (workers/gateway/src/kms/failure.ts, architecture §6): known 4xx codes
 * keep their detail and rule, 5xx codes lose their detail (internal), and anything that is not a
 * known code is a broken dependency, 503 kms_unavailable — never a verdict.
 */
import { describe, expect, it } from "vitest";
import { kmsFailure } from "../../../workers/gateway/src/kms/failure.ts";

const shape = (error: unknown) => {
  const e = kmsFailure(error);
  return { code: e.code, status: e.status, detail: e.detail, rule: e.rule };
};

describe("kmsFailure", () => {
  it.each([
    [{ code: "key_not_found" }, { code: "key_not_found", status: 404, detail: undefined, rule: undefined }],
    [{ code: "decrypt_failed", detail: "authentication failed" }, { code: "decrypt_failed", status: 400, detail: "authentication failed", rule: undefined }],
    [{ code: "access_denied", detail: "not yours", rule: "scopes" }, { code: "access_denied", status: 403, detail: "not yours", rule: "scopes" }],
    [{ code: "key_disabled", detail: 42, rule: ["x"] }, { code: "key_disabled", status: 409, detail: undefined, rule: undefined }],
    [{ code: "internal_error", detail: "stack trace here" }, { code: "internal_error", status: 500, detail: undefined, rule: undefined }],
    [{ code: "database_unavailable", detail: "D1_ERROR", rule: "r" }, { code: "database_unavailable", status: 503, detail: undefined, rule: undefined }],
  ])("maps %j", (error, expected) => {
    expect(shape(error)).toEqual(expected);
  });

  it("keeps a 4xx refusal's Retry-After in whole seconds, and drops any other", () => {
    expect(kmsFailure({ code: "rate_limited", detail: "busy", retryAfter: 4 }).headers).toEqual({ "Retry-After": "4" });
    for (const retryAfter of [0, -1, 1.5, "4", null, Number.POSITIVE_INFINITY]) {
      expect(kmsFailure({ code: "rate_limited", retryAfter }).headers).toEqual({});
    }
    expect(kmsFailure({ code: "kms_unavailable", retryAfter: 30 }).headers).toEqual({});
  });

  it.each([[undefined], [null], ["key_not_found"], [42], [{}], [{ code: "no_such_code" }], [{ code: "__proto__" }], [{ code: "toString" }]])(
    "answers kms_unavailable for %j",
    (error) => {
      expect(shape(error)).toEqual({ code: "kms_unavailable", status: 503, detail: undefined, rule: undefined });
    },
  );
});
