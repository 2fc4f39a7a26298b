import { defineConfig } from "drizzle-kit";

// drizzle-kit writes SQL migrations into the folder wrangler's `migrations_dir` names, so
// `wrangler d1 migrations apply`, `npm start` and the tests all apply the same files.
export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/d1.ts",
  out: "./schema/migrations",
});
