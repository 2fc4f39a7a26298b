/**
 * Keys: the list with the API's own filters (algorithm, state, exact name, one label) and cursor
 * paging, and a form to create a key.
 */
import { useState } from "preact/hooks";
import type { KeyFilter } from "../api.ts";
import { ErrorNote, ScopedButton, useLoad } from "../components.tsx";
import type { Ctx } from "../context.ts";
import { formatTime, labelText, missingScope } from "../format.ts";

export const ALGORITHMS = [
  "ML-KEM-512", "ML-KEM-768", "ML-KEM-1024", "X-Wing", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87", "Composite-ML-DSA-65-P256",
  "SLH-DSA-SHA2-128s", "SLH-DSA-SHA2-128f", "AES-256-GCM", "ChaCha20-Poly1305", "HMAC-SHA-256", "HMAC-SHA-384", "HMAC-SHA-512",
];
const STATES = ["enabled", "disabled", "pending_deletion", "destroyed"];
const PAGE_SIZE = 20;

function CreateKey(props: { ctx: Ctx; onCreated: (id: string) => void }) {
  const [name, setName] = useState("");
  const [algorithm, setAlgorithm] = useState("AES-256-GCM");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<unknown>(null);
  const missing = missingScope(props.ctx.scopes, "keys:write");
  return (
    <form
      class="panel"
      aria-labelledby="create-key-title"
      onSubmit={(event) => {
        event.preventDefault();
        setError(null);
        props.ctx.api
          .createKey({ algorithm, ...(name.trim() ? { name: name.trim() } : {}), ...(description.trim() ? { description: description.trim() } : {}) })
          .then((key) => props.onCreated(key.id), setError);
      }}
    >
      <h2 id="create-key-title">Create a key</h2>
      <div class="row">
        <label>Name <input name="name" value={name} maxLength={200} onInput={(e) => setName(e.currentTarget.value)} /></label>
        <label>
          Algorithm
          <select name="algorithm" value={algorithm} onChange={(e) => setAlgorithm(e.currentTarget.value)}>
            {ALGORITHMS.map((a) => <option value={a}>{a}</option>)}
          </select>
        </label>
        <label>Description <input name="description" value={description} maxLength={2000} onInput={(e) => setDescription(e.currentTarget.value)} /></label>
        <ScopedButton type="submit" kind="primary" missing={missing} onClick={() => undefined}>Create key</ScopedButton>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}

export function KeysPage(props: { ctx: Ctx }) {
  const [draft, setDraft] = useState<KeyFilter>({});
  const [filter, setFilter] = useState<KeyFilter>({});
  // Cursors of the pages before this one, for "Previous".
  const [cursors, setCursors] = useState<(string | undefined)[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const page = useLoad(() => props.ctx.api.listKeys({ ...filter, cursor, limit: PAGE_SIZE }), [filter, cursor]);
  const set = (field: keyof KeyFilter) => (event: { currentTarget: { value: string } }) =>
    setDraft({ ...draft, [field]: event.currentTarget.value || undefined });

  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">Keys</h1>
      <CreateKey ctx={props.ctx} onCreated={(id) => props.ctx.navigate(`#/keys/${id}`)} />
      <form
        class="filters"
        aria-label="Filter keys"
        onSubmit={(event) => {
          event.preventDefault();
          setCursors([]);
          setCursor(undefined);
          setFilter(draft);
        }}
      >
        <label>
          Algorithm
          <select value={draft.algorithm ?? ""} onChange={set("algorithm")}>
            <option value="">any</option>
            {ALGORITHMS.map((a) => <option value={a}>{a}</option>)}
          </select>
        </label>
        <label>
          State
          <select value={draft.state ?? ""} onChange={set("state")}>
            <option value="">any</option>
            {STATES.map((s) => <option value={s}>{s}</option>)}
          </select>
        </label>
        <label>Name <input value={draft.name ?? ""} onInput={set("name")} placeholder="exact name" /></label>
        <label>Label <input value={draft.label ?? ""} onInput={set("label")} placeholder="env:prod" /></label>
        <button type="submit">Filter</button>
      </form>
      <ErrorNote error={page.error} />
      {page.value && (
        <>
          <table class="list">
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Algorithm</th><th scope="col">State</th><th scope="col">Version</th><th scope="col">Labels</th><th scope="col">Created</th></tr>
            </thead>
            <tbody>
              {page.value.keys.map((k) => (
                <tr>
                  <td><a href={`#/keys/${k.id}`}>{k.name ?? "(unnamed)"}</a></td>
                  <td><code>{k.id}</code></td>
                  <td>{k.algorithm}</td>
                  <td><span class={`state ${k.state}`}>{k.state}</span></td>
                  <td>{k.primary_version}</td>
                  <td>{labelText(k.labels)}</td>
                  <td>{formatTime(k.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {page.value.keys.length === 0 && <p class="muted">No keys match.</p>}
          <div class="pager">
            <button
              type="button"
              disabled={cursors.length === 0}
              onClick={() => {
                setCursor(cursors[cursors.length - 1]);
                setCursors(cursors.slice(0, -1));
              }}
            >
              Previous
            </button>
            <button
              type="button"
              disabled={page.value.next_cursor === null}
              onClick={() => {
                setCursors([...cursors, cursor]);
                setCursor(page.value?.next_cursor ?? undefined);
              }}
            >
              Next
            </button>
          </div>
        </>
      )}
    </section>
  );
}
