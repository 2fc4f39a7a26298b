/**
 * One key: its details, rotation schedule, aliases, versions and their states, the public key in
 * every format, the lifecycle actions (each behind a dialog that says what it does, with the actual
 * date), and the "try it" panel.
 */
import { useState } from "preact/hooks";
import type { Key, PublicKeyFormat } from "../api.ts";
import { ConfirmDialog, CopyButton, ErrorNote, ScopedButton, useLoad, type Confirmation } from "../components.tsx";
import type { Ctx } from "../context.ts";
import { dateAfterDays, formatTime, hasPublicKey, missingScope } from "../format.ts";
import { TryIt } from "./try-it.tsx";

const FORMATS: PublicKeyFormat[] = ["raw", "spki", "pem", "jwk"];

function PublicKeys(props: { ctx: Ctx; keyId: string; version: number }) {
  const keys = useLoad(() => Promise.all(FORMATS.map((f) => props.ctx.api.publicKey(props.keyId, f, props.version))), [props.keyId, props.version]);
  return (
    <section class="panel" aria-labelledby="pub-title">
      <h2 id="pub-title">Public key (version {props.version})</h2>
      <ErrorNote error={keys.error} />
      {keys.value?.map((k) => {
        const text = typeof k.public_key === "string" ? k.public_key : JSON.stringify(k.public_key);
        return (
          <div class="pubkey">
            <h3>{k.format}</h3>
            <pre tabIndex={0} aria-label={`Public key, ${k.format}`}>{text}</pre>
            <CopyButton text={text} label={`Copy the ${k.format} public key`} />
          </div>
        );
      })}
    </section>
  );
}

function lifecycle(ctx: Ctx, key: Key, done: (k: Key) => void): { label: string; confirm: Confirmation }[] {
  const api = ctx.api;
  const actions: { label: string; confirm: Confirmation }[] = [];
  const next = key.primary_version + 1;
  if (key.state === "enabled") {
    actions.push({
      label: "Rotate",
      confirm: {
        title: `Rotate ${key.name ?? key.id}?`,
        consequences: `Version ${next} is created and becomes the primary version: new ${key.purpose === "sign" ? "signatures" : key.purpose === "mac" ? "tags" : "encryptions"} use it from now on. Version ${key.primary_version} and older enabled versions stay usable for ${key.purpose === "encrypt" ? "decryption" : "verification"}.`,
        confirmLabel: "Rotate",
        run: async () => done(await api.rotate(key.id)),
      },
    });
    actions.push({
      label: "Disable",
      confirm: {
        title: `Disable ${key.name ?? key.id}?`,
        consequences: "Every operation with this key fails until it is enabled again, decryption and verification included. Nothing is destroyed.",
        confirmLabel: "Disable",
        run: async () => done(await api.keyAction(key.id, "disable")),
      },
    });
  }
  if (key.state === "disabled") {
    actions.push({
      label: "Enable",
      confirm: { title: `Enable ${key.name ?? key.id}?`, consequences: "The key performs operations again with its enabled versions.", confirmLabel: "Enable", run: async () => done(await api.keyAction(key.id, "enable")) },
    });
  }
  if (key.state === "enabled" || key.state === "disabled") {
    const date = dateAfterDays(Date.now(), key.deletion_window_days);
    actions.push({
      label: "Schedule deletion",
      confirm: {
        title: `Schedule the deletion of ${key.name ?? key.id}?`,
        consequences: `The key is destroyed on ${date} (in ${key.deletion_window_days} days) and is unusable until then; the deletion can be cancelled before that date. Once destroyed, data encrypted under it becomes unreadable and nothing can be signed or verified with it.`,
        confirmLabel: `Destroy on ${date}`,
        run: async () => done(await api.keyAction(key.id, "schedule-deletion")),
      },
    });
  }
  if (key.state === "pending_deletion") {
    actions.push({
      label: "Cancel deletion",
      confirm: {
        title: "Cancel the scheduled deletion?",
        consequences: `The key will not be destroyed on ${formatTime(key.deletion_date)}. It comes back disabled: enable it to use it again.`,
        confirmLabel: "Cancel deletion",
        run: async () => done(await api.keyAction(key.id, "cancel-deletion")),
      },
    });
  }
  return actions;
}

function Versions(props: { ctx: Ctx; keyValue: Key; ask: (c: Confirmation) => void; done: (k: Key) => void }) {
  const { keyValue: key, ctx } = props;
  const missing = missingScope(ctx.scopes, "keys:write");
  const date = dateAfterDays(Date.now(), key.deletion_window_days);
  return (
    <section class="panel" aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <p class="muted">Primary: version {key.primary_version}. Decryption allowed from version {key.min_decryption_version}.</p>
      <table class="list">
        <thead><tr><th scope="col">Version</th><th scope="col">State</th><th scope="col">Created</th><th scope="col">Destruction</th><th scope="col">Last used</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          {[...key.versions].reverse().map((v) => {
            const run = (action: "disable" | "enable" | "schedule-destruction" | "cancel-destruction") => async () => props.done(await ctx.api.versionAction(key.id, v.version, action));
            const primary = v.version === key.primary_version;
            return (
              <tr>
                <td>{v.version}{primary ? " (primary)" : ""}</td>
                <td><span class={`state ${v.state}`}>{v.state}</span></td>
                <td>{formatTime(v.created_at)}</td>
                <td>{formatTime(v.destruction_date)}</td>
                <td>{formatTime(v.last_used_at)}</td>
                <td class="actions">
                  {v.state === "enabled" && !primary && (
                    <ScopedButton missing={missing} onClick={() => props.ask({ title: `Disable version ${v.version}?`, consequences: `Version ${v.version} stops working (data encrypted or signed under it cannot be decrypted or verified) until it is enabled again. Nothing is destroyed.`, confirmLabel: "Disable version", run: run("disable") })}>Disable</ScopedButton>
                  )}
                  {v.state === "disabled" && (
                    <ScopedButton missing={missing} onClick={() => props.ask({ title: `Enable version ${v.version}?`, consequences: `Version ${v.version} works again for decryption and verification.`, confirmLabel: "Enable version", run: run("enable") })}>Enable</ScopedButton>
                  )}
                  {(v.state === "enabled" || v.state === "disabled") && !primary && (
                    <ScopedButton kind="danger" missing={missing} onClick={() => props.ask({ title: `Destroy version ${v.version}?`, consequences: `Version ${v.version}'s secret is destroyed on ${date} (in ${key.deletion_window_days} days) and the version is unusable until then; this can be cancelled before that date. Once destroyed, data encrypted under version ${v.version} becomes unreadable.`, confirmLabel: `Destroy on ${date}`, run: run("schedule-destruction") })}>Schedule destruction</ScopedButton>
                  )}
                  {v.state === "pending_destruction" && (
                    <ScopedButton missing={missing} onClick={() => props.ask({ title: `Keep version ${v.version}?`, consequences: `Version ${v.version} will not be destroyed on ${formatTime(v.destruction_date)}; it comes back disabled.`, confirmLabel: "Cancel destruction", run: run("cancel-destruction") })}>Cancel destruction</ScopedButton>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function KeyPage(props: { ctx: Ctx; id: string }) {
  const { ctx, id } = props;
  const loaded = useLoad(() => ctx.api.getKey(id), [id]);
  const aliases = useLoad(() => ctx.api.aliasesOf(id), [id]);
  const [override, setOverride] = useState<Key | null>(null);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  // Only this page's key: a value loaded for the previous page's key is not shown while this one loads.
  const key = override?.id === id ? override : loaded.value?.id === id ? loaded.value : null;
  if (!key) return <section><h1>Key</h1><ErrorNote error={loaded.error} />{!loaded.error && <p>Loading…</p>}</section>;
  const missing = missingScope(ctx.scopes, "keys:write");

  return (
    <section aria-labelledby="key-title">
      <p><a href="#/keys">← Keys</a></p>
      <h1 id="key-title">{key.name ?? "(unnamed key)"}</h1>
      <dl class="facts">
        <dt>Id</dt><dd><code>{key.id}</code> <CopyButton text={key.id} label="Copy the key id" /></dd>
        <dt>Algorithm</dt><dd>{key.algorithm} ({key.purpose})</dd>
        <dt>State</dt><dd><span class={`state ${key.state}`}>{key.state}</span>{key.deletion_date && ` — destroyed on ${formatTime(key.deletion_date)}`}</dd>
        <dt>Description</dt><dd>{key.description ?? "—"}</dd>
        <dt>Labels</dt><dd>{Object.keys(key.labels).length === 0 ? "—" : Object.entries(key.labels).map(([k, v]) => <span class="label">{k}: {v}</span>)}</dd>
        <dt>Rotation</dt><dd>{key.rotation_period ? `every ${key.rotation_period}; next ${formatTime(key.next_rotation_at)}` : "manual only"}{key.keep_decryption_versions !== null && `; keeps ${key.keep_decryption_versions} older versions decryptable`}</dd>
        <dt>Deletion window</dt><dd>{key.deletion_window_days} days</dd>
        <dt>Aliases</dt><dd>{aliases.value ? (aliases.value.aliases.length === 0 ? "—" : aliases.value.aliases.map((a) => <code class="label">alias:{a.name}</code>)) : aliases.error ? <ErrorNote error={aliases.error} /> : "…"}</dd>
        <dt>Created</dt><dd>{formatTime(key.created_at)}</dd>
      </dl>
      <div class="toolbar" aria-label="Key actions">
        {lifecycle(ctx, key, setOverride).map((a) => (
          <ScopedButton kind={a.label.startsWith("Schedule") || a.label === "Disable" ? "danger" : undefined} missing={missing} onClick={() => setConfirmation(a.confirm)}>
            {a.label}
          </ScopedButton>
        ))}
      </div>
      <ConfirmDialog confirmation={confirmation} onClose={() => setConfirmation(null)} />
      <Versions ctx={ctx} keyValue={key} ask={setConfirmation} done={setOverride} />
      {key.state === "enabled" && <TryIt ctx={ctx} keyValue={key} />}
      {hasPublicKey(key.algorithm) && key.state !== "destroyed" && <PublicKeys ctx={ctx} keyId={key.id} version={key.primary_version} />}
    </section>
  );
}
