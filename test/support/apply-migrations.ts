// Applies the D1 migrations from schema/migrations to this test file's isolated D1 before its tests.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
