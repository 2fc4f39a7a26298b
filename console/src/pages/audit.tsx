/**
 * The audit log: the tenant's events newest first with the API's filters, the hash chain's
 * verification as a badge (GET /v1/audit-events/verify), an event's whole record on click, and a
 * link from a denied call to the rule that denied it.
 */
import { useState } from "preact/hooks";
import type { AuditEvent, AuditFilter } from "../api.ts";
import { ErrorNote, useLoad } from "../components.tsx";
import type { Ctx } from "../context.ts";
import { formatTime } from "../format.ts";

const PAGE_SIZE = 50;

function ChainBadge(props: { ctx: Ctx }) {
  const verdict = useLoad(() => props.ctx.api.verifyAudit(), []);
  if (verdict.error) return <span class="badge unknown">chain: not verified</span>;
  if (!verdict.value) return <span class="badge unknown">chain: verifying…</span>;
  const v = verdict.value;
  return (
    <span class={`badge ${v.valid ? "ok" : "broken"}`} title={v.note} data-testid="chain-badge">
      {v.valid ? `chain verified: ${v.checked} events (${v.from_seq}–${v.to_seq}, from ${v.basis})` : `chain broken at event ${v.first_broken ?? "?"}`}
    </span>
  );
}

function Record(props: { event: AuditEvent }) {
  return (
    <dl class="facts record">
      {Object.entries(props.event).map(([field, value]) => (
        <>
          <dt>{field}</dt>
          <dd>
            {field === "rule" && typeof value === "string" ? <a href={`#/rules/${encodeURIComponent(value)}`}>{value}</a> : <code>{value === null ? "null" : String(value)}</code>}
          </dd>
        </>
      ))}
    </dl>
  );
}

export function AuditPage(props: { ctx: Ctx }) {
  const [draft, setDraft] = useState<AuditFilter>({});
  const [filter, setFilter] = useState<AuditFilter>({});
  const [cursors, setCursors] = useState<(string | undefined)[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [open, setOpen] = useState<number | null>(null);
  const page = useLoad(() => props.ctx.api.auditEvents({ ...filter, cursor, limit: PAGE_SIZE }), [filter, cursor]);
  const set = (field: keyof AuditFilter) => (event: { currentTarget: { value: string } }) => setDraft({ ...draft, [field]: event.currentTarget.value.trim() || undefined });

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <p><ChainBadge ctx={props.ctx} /></p>
      <form
        class="filters"
        aria-label="Filter events"
        onSubmit={(event) => {
          event.preventDefault();
          setCursors([]);
          setCursor(undefined);
          setFilter(draft);
        }}
      >
        <label>Operation <input value={draft.operation ?? ""} onInput={set("operation")} placeholder="crypto.encrypt" /></label>
        <label>
          Outcome
          <select value={draft.outcome ?? ""} onChange={set("outcome")}>
            <option value="">any</option>
            <option value="allowed">allowed</option>
            <option value="denied">denied</option>
            <option value="failed">failed</option>
          </select>
        </label>
        <label>Key id <input value={draft.key_id ?? ""} onInput={set("key_id")} /></label>
        <label>Request id <input value={draft.request_id ?? ""} onInput={set("request_id")} /></label>
        <button type="submit">Filter</button>
      </form>
      <ErrorNote error={page.error} />
      {page.value && (
        <>
          <table class="list">
            <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Operation</th><th scope="col">Outcome</th><th scope="col">Key</th><th scope="col">Detail</th></tr></thead>
            <tbody>
              {page.value.events.map((e) => (
                <>
                  <tr class={`event ${e.outcome}`}>
                    <td>
                      <button type="button" class="link" aria-expanded={open === e.seq} onClick={() => setOpen(open === e.seq ? null : e.seq)}>{e.seq}</button>
                    </td>
                    <td>{formatTime(e.time)}</td>
                    <td>{e.operation}</td>
                    <td>
                      {e.outcome}
                      {e.rule && <> by <a href={`#/rules/${encodeURIComponent(e.rule)}`}>{e.rule}</a></>}
                    </td>
                    <td>{e.key_id ? <a href={`#/keys/${e.key_id}`}><code>{e.key_id.slice(0, 8)}…</code></a> : "—"}{e.key_version !== null ? ` v${e.key_version}` : ""}</td>
                    <td>{e.detail ?? ""}</td>
                  </tr>
                  {open === e.seq && (
                    <tr><td colSpan={6}><Record event={e} /></td></tr>
                  )}
                </>
              ))}
            </tbody>
          </table>
          {page.value.events.length === 0 && <p class="muted">No events match.</p>}
          <div class="pager">
            <button type="button" disabled={cursors.length === 0} onClick={() => { setCursor(cursors[cursors.length - 1]); setCursors(cursors.slice(0, -1)); }}>Newer</button>
            <button type="button" disabled={page.value.next_cursor === null} onClick={() => { setCursors([...cursors, cursor]); setCursor(page.value?.next_cursor ?? undefined); }}>Older</button>
          </div>
        </>
      )}
    </section>
  );
}
