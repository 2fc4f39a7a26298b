/**
 * Platform pages (admin token): emergency fail-open (architecture §4) with the time left before it
 * switches itself off, switched on or off behind a confirmation; and tenants (tenants.tsx).
 */
import { useEffect, useState } from "preact/hooks";
import { ConfirmDialog, ErrorNote, ScopedButton, useLoad, type Confirmation } from "../components.tsx";
import type { Ctx } from "../context.ts";
import { formatTime } from "../format.ts";
import { Tenants } from "./tenants.tsx";

/** "12 min 5 s" until `until`, or null once it has passed. */
function remaining(until: string, now: number): string | null {
  const seconds = Math.floor((Date.parse(until) - now) / 1000);
  if (seconds <= 0) return null;
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
}

function FailOpen(props: { ctx: Ctx }) {
  const status = useLoad(() => props.ctx.api.failOpen(), []);
  const [now, setNow] = useState(Date.now());
  const [minutes, setMinutes] = useState(5);
  const [reason, setReason] = useState("");
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const s = status.value;
  const left = s?.until ? remaining(s.until, now) : null;
  const enable = (): Confirmation => ({
    title: "Switch emergency fail-open on?",
    consequences: `Until ${formatTime(new Date(Date.now() + minutes * 60_000).toISOString())} (${minutes} min), an unreachable policy engine no longer answers 503: the gateway applies the rules itself, and audits every request it lets through as critical. Authentication, rate limits and any deny the engine returns still hold. Recorded in the platform audit log with your reason.`,
    confirmLabel: "Switch on",
    run: async () => {
      await props.ctx.api.enableFailOpen(minutes, reason.trim());
      status.reload();
    },
  });
  const disable = (): Confirmation => ({
    title: "Switch emergency fail-open off?",
    consequences: "From now on an unreachable policy engine answers 503 again. Recorded in the platform audit log.",
    confirmLabel: "Switch off",
    run: async () => {
      await props.ctx.api.disableFailOpen();
      status.reload();
    },
  });
  return (
    <section class="panel" aria-labelledby="fail-open-title">
      <h2 id="fail-open-title">Emergency fail-open</h2>
      <ErrorNote error={status.error} />
      {s && (
        <dl class="facts">
          <dt>Status</dt>
          <dd><span class={`badge ${s.enabled ? "broken" : "ok"}`}>{s.enabled ? "ON: an unreachable policy engine no longer means 503; the gateway applies the rules itself" : "off: an unreachable policy engine answers 503"}</span></dd>
          {s.enabled && (
            <>
              <dt>Switches off</dt>
              <dd>{formatTime(s.until)}{left !== null ? ` (in ${left})` : " (now)"}</dd>
              <dt>Reason</dt>
              <dd>{s.reason ?? "—"}</dd>
            </>
          )}
        </dl>
      )}
      {s && !s.enabled && (
        <form class="row" aria-label="Switch fail-open on" onSubmit={(e) => { e.preventDefault(); setConfirmation(enable()); }}>
          <label>Minutes <input type="number" min={1} max={60} value={minutes} onInput={(e) => setMinutes(Math.min(60, Math.max(1, Number(e.currentTarget.value) || 1)))} /></label>
          <label class="grow">Reason <input required minLength={3} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} /></label>
          <button type="submit" class="danger" disabled={reason.trim().length < 3}>Switch on…</button>
        </form>
      )}
      {s?.enabled && <ScopedButton kind="primary" missing={null} onClick={() => setConfirmation(disable())}>Switch off…</ScopedButton>}
      <ConfirmDialog confirmation={confirmation} onClose={() => setConfirmation(null)} />
    </section>
  );
}

export function PlatformPage(props: { ctx: Ctx }) {
  return (
    <section aria-labelledby="platform-title">
      <h1 id="platform-title">Platform</h1>
      <FailOpen ctx={props.ctx} />
      <Tenants ctx={props.ctx} />
    </section>
  );
}
