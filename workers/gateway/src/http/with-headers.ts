/**
 * The headers every page the gateway serves carries beside its own Content-Security-Policy (the API
 * reference at /docs, the console at /console): no MIME sniffing, no referrer, never framed, and
 * isolated from other origins' windows and embedders.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** A copy of `response` with `headers` set over its own. */
export function withHeaders(response: Response, headers: Readonly<Record<string, string>>): Response {
  const out = new Response(response.body, response);
  for (const [name, value] of Object.entries(headers)) out.headers.set(name, value);
  return out;
}
