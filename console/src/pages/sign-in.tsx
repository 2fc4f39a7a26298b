/**
 * Sign-in with a tenant API key or the platform admin token. The credential is checked against the
 * API before it is kept: a tenant key by GET /v1/tenant (which also names its scopes), the admin
 * token by GET /admin/v1/policy/fail-open.
 */
import { useState } from "preact/hooks";
import { ApiProblem, createApi, type OwnTenant } from "../api.ts";
import { ErrorNote } from "../components.tsx";
import type { Credential } from "../session.ts";

export function SignIn(props: { notice: string | null; onSignedIn: (c: Credential, tenant: OwnTenant | null) => void }) {
  const [kind, setKind] = useState<Credential["kind"]>("tenant");
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const credential = { kind, token: token.trim() };
    const api = createApi(credential, () => undefined);
    try {
      if (kind === "admin") {
        await api.failOpen();
        props.onSignedIn(credential, null);
        return;
      }
      props.onSignedIn(credential, await api.tenant());
    } catch (e) {
      // A key without keys:read cannot read /v1/tenant but is a valid key: sign in, scopes unknown.
      if (e instanceof ApiProblem && e.status === 403 && e.rule === "scopes") props.onSignedIn(credential, null);
      else setError(e);
    }
  };

  return (
    <main class="sign-in">
      <h1>pqkms console</h1>
      {props.notice && <p class="notice" role="status">{props.notice}</p>}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          void submit().finally(() => setBusy(false));
        }}
      >
        <fieldset>
          <legend>Sign in with</legend>
          <label>
            <input type="radio" name="kind" checked={kind === "tenant"} onChange={() => setKind("tenant")} /> a tenant API key
          </label>
          <label>
            <input type="radio" name="kind" checked={kind === "admin"} onChange={() => setKind("admin")} /> the platform admin token
          </label>
        </fieldset>
        <label for="token">{kind === "tenant" ? "API key" : "Admin token"}</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          required
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        <p class="muted">Kept in this tab's session storage only, and forgotten on sign-out or when the API refuses it.</p>
        <button type="submit" class="primary" disabled={busy || token.trim() === ""}>Sign in</button>
        <ErrorNote error={error} />
      </form>
    </main>
  );
}
