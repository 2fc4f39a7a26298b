/**
 * @pqkms/client: the typed client of the pqkms API, offline seal and verify with a public key, and
 * streaming envelope encryption. Runs on Node >= 20, browsers, Workers, Deno and Bun: fetch, Web
 * Crypto and the pure-TypeScript noble libraries only.
 */
export {};
export * from "./stream/index.ts";
