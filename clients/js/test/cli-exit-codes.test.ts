/**
 * The exit codes of a failing gateway (src/cli/errors.ts EXIT), with the real bin against a local
 * HTTP server that answers as a gateway does when it cannot serve: 429 for good (5, after the
 * client's retries), no answer at all (6), 5xx and answers the API does not document (7). The real
 * service cannot be made to fail on demand from a spawned CLI; cli.test.ts checks 0 to 4 against it.
 * Each failure is still the one stderr line with its code and request id.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_LINE, pqkms } from "./cli-run.ts";

type Answer = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let url = "";
let answer: Answer = (_request, response) => response.end();
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(`${request.method ?? ""} ${request.url ?? ""}`);
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A problem+json answer (RFC 9457) as the gateway writes it, `Retry-After: 0` so retries are quick. */
function problem(status: number, code: string, requestId: string): Answer {
  return (_request, response) => {
    response.writeHead(status, { "content-type": "application/problem+json", "retry-after": "0", "x-request-id": requestId });
    response.end(JSON.stringify({ type: "about:blank", title: code, status, code, detail: `answered ${status}`, request_id: requestId }));
  };
}

async function listKeys(at: string) {
  seen.length = 0;
  const run = await pqkms(["keys", "list"], { env: { PQKMS_URL: at, PQKMS_API_KEY: "pqk_exit_codes" } });
  const [, code, , requestId] = ERROR_LINE.exec(run.stderr) ?? [];
  return { exit: run.code, code, requestId, stderr: run.stderr, stdout: run.stdout.toString("utf8"), requests: seen.length };
}

describe("exit codes of a failing gateway", () => {
  it("5: still rate limited after the client's retries (four attempts, Retry-After honoured)", async () => {
    answer = problem(429, "rate_limited", "req-429");
    expect(await listKeys(url)).toMatchObject({ exit: 5, code: "rate_limited", requestId: "req-429", stdout: "", requests: 4 });
  });

  it("6: no answer from the gateway (connection refused)", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const run = await listKeys(`http://127.0.0.1:${port}`);
    expect(run).toMatchObject({ exit: 6, code: "network_error", stdout: "" });
    expect(run.stderr).toContain(`no answer from http://127.0.0.1:${port}`);
  });

  it("7: a 503 that lasts (retried, then given up), a 500 (not retried), and an answer that is not the API's", async () => {
    answer = problem(503, "kms_unavailable", "req-503");
    expect(await listKeys(url)).toMatchObject({ exit: 7, code: "kms_unavailable", requestId: "req-503", requests: 4 });

    answer = problem(500, "internal_error", "req-500");
    expect(await listKeys(url)).toMatchObject({ exit: 7, code: "internal_error", requestId: "req-500", requests: 1 });

    // A proxy's HTML error page: described by its status, with the request id from the header.
    answer = (_request, response) => {
      response.writeHead(502, { "content-type": "text/html", "x-request-id": "req-502" });
      response.end("<html><body>Bad gateway</body></html>");
    };
    const proxied = await listKeys(url);
    expect(proxied).toMatchObject({ exit: 7, code: "invalid_response", requestId: "req-502", requests: 1 });
    expect(proxied.stderr).toContain("HTTP 502 without a problem body");

    // 200 with a body that is not JSON.
    answer = (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end("not json");
    };
    expect(await listKeys(url)).toMatchObject({ exit: 7, code: "invalid_response" });
  });
});
