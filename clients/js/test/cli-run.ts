/**
 * Runs the real `pqkms` bin (bin/pqkms.js → dist/cli.js, built by `npm run client:build`, which
 * `npm test` and `npm ci` run) as a separate process with the given environment only: no
 * PQKMS_* variable leaks in from the shell that started the tests.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const BIN = fileURLToPath(new URL("../bin/pqkms.js", import.meta.url));
const DIST = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

export interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** A fresh empty directory (also the child's HOME, so no real config file is ever read). */
export function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), "pqkms-cli-"));
}

/** Runs `pqkms …args` with `env` (plus PATH and a scratch HOME), `input` on stdin. */
export function pqkms(args: string[], options: { env?: Record<string, string>; input?: Uint8Array | string; cwd?: string } = {}): Promise<Run> {
  expect(existsSync(DIST), "clients/js/dist/cli.js is missing: run npm run client:build").toBe(true);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", HOME: options.cwd ?? scratch(), ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") }));
    child.stdin.end(options.input === undefined ? undefined : Buffer.from(options.input));
  });
}

/** Expects success and returns stdout parsed as JSON. */
export async function pqkmsJson<T>(args: string[], options: Parameters<typeof pqkms>[1] = {}): Promise<T> {
  const run = await pqkms(["--json", ...args], options);
  expect(run.stderr, `pqkms ${args.join(" ")}`).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout.toString("utf8")) as T;
}

/** The one-line error format: `pqkms: <message> (code=…[, rule=…][, request_id=…])`. */
export const ERROR_LINE = /^pqkms: [^\n]+ \(code=([a-z_]+)(?:, rule=([a-z_]+))?(?:, request_id=([^)\s]+))?\)\n$/;
