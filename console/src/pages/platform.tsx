/**
 * Platform pages (admin token). Built so far: the emergency fail-open status. Tenants and limits
 * are managed through /admin/v1 (see the API reference).
 */
import { ErrorNote, useLoad } from "../components.tsx";
import type { Ctx } from "../context.ts";

export function PlatformPage(props: { ctx: Ctx }) {
  const status = useLoad(() => props.ctx.api.failOpen(), []);
  return (
    <section aria-labelledby="platform-title">
      <h1 id="platform-title">Platform</h1>
      <h2>Emergency fail-open</h2>
      <ErrorNote error={status.error} />
      {status.value && (
        <dl class="facts">
          {Object.entries(status.value).map(([field, value]) => (
            <>
              <dt>{field}</dt>
              <dd><code>{value === null ? "null" : typeof value === "object" ? JSON.stringify(value) : String(value)}</code></dd>
            </>
          ))}
        </dl>
      )}
      <p class="muted">Tenants, plans and limits: <a href="/docs">/admin/v1 in the API reference</a>.</p>
    </section>
  );
}
