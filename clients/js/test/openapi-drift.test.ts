/**
 * The committed OpenAPI document and generated types (clients/js/openapi.json,
 * clients/js/src/generated/openapi.ts) are what the gateway's routes generate today.
 */
import { expect, it } from "vitest";
import { committed, generate } from "../../../scripts/client-openapi.ts";

it("the client's OpenAPI document and types match the gateway's routes", async () => {
  const [fresh, onDisk] = await Promise.all([generate(), committed()]);
  const hint = "the gateway's routes changed: run npm run client:generate and commit the result";
  expect(onDisk.json === fresh.json, `clients/js/openapi.json is stale; ${hint}`).toBe(true);
  expect(onDisk.types === fresh.types, `clients/js/src/generated/openapi.ts is stale; ${hint}`).toBe(true);
  // Loading the whole gateway and openapi-typescript takes seconds, more beside the harness files.
}, 120_000);
