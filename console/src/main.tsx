/**
 * The console's shell: sign-in, the signed-in header and navigation, and the client-side routes in
 * the URL fragment (#/keys, #/keys/<id>, #/api-keys, #/audit, #/usage, #/rules/<rule>). Any 401 clears the
 * stored credential and returns to sign-in (a revoked or expired key, a changed admin token).
 */
import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { createApi, type OwnTenant } from "./api.ts";
import type { Ctx } from "./context.ts";
import { missingScope } from "./format.ts";
import { ApiKeysPage } from "./pages/api-keys.tsx";
import { AuditPage } from "./pages/audit.tsx";
import { KeyPage } from "./pages/key.tsx";
import { KeysPage } from "./pages/keys.tsx";
import { PlatformPage } from "./pages/platform.tsx";
import { RulesPage } from "./pages/rules.tsx";
import { SignIn } from "./pages/sign-in.tsx";
import { UsagePage } from "./pages/usage.tsx";
import { clearCredential, loadCredential, saveCredential, type Credential } from "./session.ts";

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return hash;
}

function App() {
  const [credential, setCredential] = useState<Credential | null>(loadCredential);
  const [me, setMe] = useState<OwnTenant | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const hash = useHash();

  const signOut = (why: string | null) => {
    clearCredential();
    setCredential(null);
    setMe(null);
    setNotice(why);
  };
  const refused = () => signOut("The API refused this credential (401): it was revoked, expired or mistyped. Sign in again.");
  const api = useMemo(() => (credential ? createApi(credential, refused) : null), [credential]);
  // Each page's calls carry its own signal: leaving the page aborts what it still has in flight.
  const page = useMemo(() => new AbortController(), [credential, hash]);
  useEffect(() => () => page.abort(), [page]);
  const pageApi = useMemo(() => (credential ? createApi(credential, refused, page.signal) : null), [page]);

  // A tenant key's scopes come from GET /v1/tenant (needs keys:read; without it they stay unknown).
  useEffect(() => {
    if (!api || credential?.kind !== "tenant") return;
    api.tenant().then(setMe, () => setMe(null));
  }, [api]);

  if (!credential || !api || !pageApi) {
    document.title = "Sign in · pqkms console";
    return (
      <SignIn
        notice={notice}
        onSignedIn={(c, tenant) => {
          saveCredential(c);
          setNotice(null);
          setMe(tenant);
          setCredential(c);
          if (location.hash === "" || location.hash === "#/") location.hash = c.kind === "admin" ? "#/platform" : "#/keys";
        }}
      />
    );
  }

  const ctx: Ctx = { api: pageApi, scopes: me?.api_key.scopes ?? null, origin: location.origin, navigate: (h) => (location.hash = h) };
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const tenantNav: [string, string, string | null][] = [
    ["#/keys", "Keys", missingScope(ctx.scopes, "keys:read")],
    ["#/api-keys", "API keys", missingScope(ctx.scopes, "api-keys:manage")],
    ["#/audit", "Audit log", missingScope(ctx.scopes, "audit:read")],
    ["#/usage", "Usage", missingScope(ctx.scopes, "keys:read")],
    ["#/rules", "Policy rules", null],
  ];

  let view;
  let title: string;
  if (credential.kind === "admin") [view, title] = [<PlatformPage ctx={ctx} />, "Platform"];
  else if (parts[0] === "keys" && parts[1]) [view, title] = [<KeyPage ctx={ctx} id={parts[1]} />, "Key"];
  else if (parts[0] === "api-keys") [view, title] = [<ApiKeysPage ctx={ctx} />, "API keys"];
  else if (parts[0] === "audit") [view, title] = [<AuditPage ctx={ctx} />, "Audit log"];
  else if (parts[0] === "usage") [view, title] = [<UsagePage ctx={ctx} />, "Usage"];
  else if (parts[0] === "rules") [view, title] = [<RulesPage ctx={ctx} rule={parts[1] ?? null} />, "Policy rules"];
  else [view, title] = [<KeysPage ctx={ctx} />, "Keys"];
  // Each page its own title (WCAG 2.4.2), so history and screen readers tell them apart.
  document.title = `${title} · pqkms console`;

  return (
    <>
      <header class="top">
        <span class="brand">pqkms console</span>
        <nav aria-label="Main">
          {credential.kind === "tenant" &&
            tenantNav.map(([href, label, missing]) =>
              missing === null ? (
                <a href={href} aria-current={hash.startsWith(href) ? "page" : undefined}>{label}</a>
              ) : (
                <span class="disabled" title={missing}>{label} <span class="needs">{missing}</span></span>
              ),
            )}
          {credential.kind === "admin" && <a href="#/platform">Platform</a>}
        </nav>
        <span class="who">
          {credential.kind === "admin" ? "platform admin" : me ? `${me.name} · ${me.api_key.name} (${me.api_key.prefix}…)` : "tenant API key"}
        </span>
        <button type="button" onClick={() => signOut(null)}>Sign out</button>
      </header>
      {/* Keyed by the route: a page left is unmounted, its calls aborted, and the next one starts afresh. */}
      <main key={hash}>{view}</main>
    </>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
