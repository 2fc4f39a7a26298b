/**
 * Small building blocks shared by the pages: a button greyed out with the missing scope named, a
 * confirmation dialog (native <dialog>, modal, Escape cancels), a copy button, and an error line
 * that links a policy denial to the rule that made it. All text is rendered as text.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiProblem, isAbort } from "./api.ts";

/** A button that is disabled, and says why, when the signed-in key lacks the scope it needs. */
export function ScopedButton(props: { missing: string | null; onClick: () => void; children: ComponentChildren; kind?: "danger" | "primary"; type?: "button" | "submit" }) {
  return (
    <span class="scoped">
      <button
        type={props.type ?? "button"}
        class={props.kind ?? ""}
        disabled={props.missing !== null}
        title={props.missing ?? undefined}
        onClick={props.type === "submit" ? undefined : props.onClick}
      >
        {props.children}
      </button>
      {props.missing !== null && <span class="needs">{props.missing}</span>}
    </span>
  );
}

export interface Confirmation {
  title: string;
  /** What happens, in plain words, with the actual date when there is one. */
  consequences: string;
  confirmLabel: string;
  run: () => Promise<void>;
}

/** The open confirmation, if any: the caller keeps it in state and passes it here. */
export function ConfirmDialog(props: { confirmation: Confirmation | null; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.confirmation && !dialog.open) {
      setError(null);
      dialog.showModal();
    } else if (!props.confirmation && dialog.open) dialog.close();
  }, [props.confirmation]);
  const c = props.confirmation;
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-title" onClose={props.onClose}>
      {c && (
        <div>
          <h2 id="confirm-title">{c.title}</h2>
          <p class="consequences">{c.consequences}</p>
          <ErrorNote error={error} />
          <div class="actions">
            <button type="button" onClick={() => props.onClose()}>Cancel</button>
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                c.run()
                  .then(() => props.onClose())
                  .catch(setError)
                  .finally(() => setBusy(false));
              }}
            >
              {c.confirmLabel}
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}

export function CopyButton(props: { text: string; label?: string }) {
  const [done, setDone] = useState<"copied" | "failed" | null>(null);
  return (
    <button
      type="button"
      class="copy"
      aria-label={props.label ?? "Copy"}
      onClick={() => {
        navigator.clipboard.writeText(props.text).then(() => setDone("copied"), () => setDone("failed"));
      }}
    >
      {done === "copied" ? "Copied" : done === "failed" ? "Copy failed: select the text" : "Copy"}
    </button>
  );
}

/** An API failure as the API said it; a policy denial links to the rule that denied it. */
export function ErrorNote(props: { error: unknown }) {
  const e = props.error;
  // An aborted call belongs to a page being left: nothing to say.
  if (e === null || e === undefined || isAbort(e)) return null;
  if (e instanceof ApiProblem) {
    return (
      <p class="error" role="alert">
        {e.detail} <code>{e.code}</code>
        {e.rule !== undefined && (
          <>
            {" "}— denied by rule <a href={`#/rules/${encodeURIComponent(e.rule)}`}>{e.rule}</a>
          </>
        )}
        {e.requestId !== undefined && <span class="muted"> (request {e.requestId})</span>}
      </p>
    );
  }
  return <p class="error" role="alert">{e instanceof Error ? e.message : String(e)}</p>;
}

/** Loads once (and again when `deps` change); the page renders loading, error or the value. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): { value: T | null; error: unknown; reload: () => void } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    load().then((v) => live && setValue(v), (e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { value, error, reload: () => setTick((t) => t + 1) };
}
