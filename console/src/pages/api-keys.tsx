/**
 * API keys: create one (its token shown once, with a copy button and a warning), list them, revoke
 * one behind a confirmation. A key can only grant scopes it holds itself (the API refuses more).
 */
import { useState } from "preact/hooks";
import type { ApiKey } from "../api.ts";
import { ConfirmDialog, CopyButton, ErrorNote, ScopedButton, useLoad, type Confirmation } from "../components.tsx";
import type { Ctx } from "../context.ts";
import { formatTime } from "../format.ts";

const ROLES = ["app", "operator", "auditor", "admin"];

export function ApiKeysPage(props: { ctx: Ctx }) {
  const { ctx } = props;
  const list = useLoad(() => ctx.api.listApiKeys(), []);
  const [name, setName] = useState("");
  const [role, setRole] = useState("app");
  const [created, setCreated] = useState<(ApiKey & { token: string }) | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const revoke = (k: ApiKey): Confirmation => ({
    title: `Revoke the API key ${k.name}?`,
    consequences: `Every request with ${k.prefix}… is refused from now on (within a few seconds on every edge). This cannot be undone: make a new key instead.`,
    confirmLabel: "Revoke",
    run: async () => {
      await ctx.api.revokeApiKey(k.id);
      list.reload();
    },
  });

  return (
    <section aria-labelledby="api-keys-title">
      <h1 id="api-keys-title">API keys</h1>
      <form
        class="panel"
        aria-labelledby="create-api-key-title"
        onSubmit={(event) => {
          event.preventDefault();
          setError(null);
          ctx.api.createApiKey({ name: name.trim(), role }).then((k) => {
            setCreated(k);
            setName("");
            list.reload();
          }, setError);
        }}
      >
        <h2 id="create-api-key-title">Create an API key</h2>
        <div class="row">
          <label>Name <input name="api-key-name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
          <label>
            Role
            <select name="role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
              {ROLES.map((r) => <option value={r}>{r}</option>)}
            </select>
          </label>
          <button type="submit" class="primary" disabled={name.trim() === ""}>Create API key</button>
        </div>
        <ErrorNote error={error} />
      </form>
      {created && (
        <div class="panel token" role="status">
          <h2>New API key: {created.name}</h2>
          <p class="warning">Copy this token now. It is shown only this once and cannot be read again; whoever holds it acts with its scopes ({created.scopes.join(", ")}).</p>
          <pre tabIndex={0} aria-label="The new API key's token">{created.token}</pre>
          <CopyButton text={created.token} label="Copy the new API key's token" />
          <button type="button" onClick={() => setCreated(null)}>I have stored it</button>
        </div>
      )}
      <ErrorNote error={list.error} />
      {list.value && (
        <table class="list">
          <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {list.value.api_keys.map((k) => (
              <tr>
                <td>{k.name}</td>
                <td><code>{k.prefix}…</code></td>
                <td>{k.role ? `${k.role}: ` : ""}{k.scopes.join(", ")}{k.key_ids ? ` (${k.key_ids.length} keys only)` : ""}</td>
                <td>{formatTime(k.created_at)}</td>
                <td>{formatTime(k.last_used_at)}</td>
                <td>{k.revoked_at ? `revoked ${formatTime(k.revoked_at)}` : k.expires_at ? `expires ${formatTime(k.expires_at)}` : "active"}</td>
                <td>{!k.revoked_at && <ScopedButton kind="danger" missing={null} onClick={() => setConfirmation(revoke(k))}>Revoke</ScopedButton>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog confirmation={confirmation} onClose={() => setConfirmation(null)} />
    </section>
  );
}
