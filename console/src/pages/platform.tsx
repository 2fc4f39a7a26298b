/**
 * Platform pages (admin token). Built so far: the emergency fail-open status (architecture §4), with
 * the time left before it switches itself off. Tenants, plans and limits are managed through
 * /admin/v1 (see the API reference).
 */
import { useEffect, useState } from "preact/hooks";
import { ErrorNote, useLoad } from "../components.tsx";
import type { Ctx } from "../context.ts";
import { formatTime } from "../format.ts";

/** "12 min 5 s" until `until`, or null once it has passed. */
function remaining(until: string, now: number): string | null {
  const seconds = Math.floor((Date.parse(until) - now) / 1000);
  if (seconds <= 0) return null;
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
}

export function PlatformPage(props: { ctx: Ctx }) {
  const status = useLoad(() => props.ctx.api.failOpen(), []);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const s = status.value;
  const left = s?.until ? remaining(s.until, now) : null;
  return (
    <section aria-labelledby="platform-title">
      <h1 id="platform-title">Platform</h1>
      <h2>Emergency fail-open</h2>
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
      <p class="muted">Tenants, plans and limits, and switching fail-open: <a href="/docs">/admin/v1 in the API reference</a>.</p>
    </section>
  );
}
