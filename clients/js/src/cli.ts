/**
 * The `pqkms` executable's entry (bundled to dist/cli.js; bin/pqkms.js imports it): the process's
 * own streams and environment, and its exit code.
 */
import { run } from "./cli/main.ts";

process.exitCode = await run(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  platform: process.platform,
});
