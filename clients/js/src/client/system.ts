/** `client.system`: the unauthenticated service routes. */
import type { CallOptions, Transport } from "./transport.ts";
import type * as T from "./types.ts";

/** `client.system`. */
export class System {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Liveness: the gateway answers. */
  health(options: CallOptions = {}): Promise<T.Health> {
    return this.#t.json<T.Health>("getHealth", {}, options);
  }

  /** Readiness: `ready`, or `not_ready` with its reasons (503, answered here rather than thrown). */
  ready(options: CallOptions = {}): Promise<T.Ready | T.NotReady> {
    return this.#t.json<T.Ready | T.NotReady>("getReadiness", { okStatuses: [503] }, options);
  }

  /** The OpenAPI document the gateway serves. */
  openApiDocument(options: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.#t.json<Record<string, unknown>>("getOpenApiDocument", {}, options);
  }

  /** The rendered API reference page (HTML). */
  async apiReference(options: CallOptions = {}): Promise<string> {
    return (await this.#t.send("getApiReference", {}, options)).text();
  }

  /** One file of the API reference's renderer. */
  async apiReferenceFile(file: string, options: CallOptions = {}): Promise<Uint8Array> {
    return new Uint8Array(await (await this.#t.send("getApiReferenceFile", { params: { file } }, options)).arrayBuffer());
  }

  /** The web console's page (HTML). */
  async console(options: CallOptions = {}): Promise<string> {
    return (await this.#t.send("getConsole", {}, options)).text();
  }

  /** One file of the web console (its script or style sheet). */
  async consoleFile(file: string, options: CallOptions = {}): Promise<Uint8Array> {
    return new Uint8Array(await (await this.#t.send("getConsoleFile", { params: { file } }, options)).arrayBuffer());
  }

  /** Prometheus metrics (text exposition format), with the metrics token. */
  async metrics(token: string, options: CallOptions = {}): Promise<string> {
    return (await this.#t.send("getMetrics", { bearer: token }, options)).text();
  }
}
