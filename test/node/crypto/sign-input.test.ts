/**
 * The sign/verify input rule (shared/sign-input.ts): exactly one of message or mu, and a context only
 * with a message (FIPS 204 §5.4: external μ already binds ctx). Every combination of the three fields.
 */
import { describe, expect, it } from "vitest";
import { signInputProblems, type SignInputFields, type SignInputProblem } from "../../../workers/shared/sign-input.ts";

const TABLE: [SignInputFields, SignInputProblem[]][] = [
  [{ message: true, mu: false, context: false }, []],
  [{ message: true, mu: false, context: true }, []],
  [{ message: false, mu: true, context: false }, []],
  [{ message: false, mu: true, context: true }, ["context_with_mu"]],
  [{ message: false, mu: false, context: false }, ["message_or_mu"]],
  [{ message: false, mu: false, context: true }, ["message_or_mu"]],
  [{ message: true, mu: true, context: false }, ["message_or_mu"]],
  [{ message: true, mu: true, context: true }, ["message_or_mu", "context_with_mu"]],
];

describe("signInputProblems", () => {
  it.each(TABLE)("%o breaks the rule in %o", (given, problems) => {
    expect(signInputProblems(given)).toEqual(problems);
  });
});
