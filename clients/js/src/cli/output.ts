/**
 * What the CLI prints on stdout: aligned columns for people (the plain style of `kubectl get` and
 * `gcloud … list`, no box drawing, so `grep` and `awk` still work), or the API's own JSON for scripts
 * (`--json`; bytes as base64, as on the wire).
 */
import { toBase64 } from "../../../../workers/shared/base64.ts";

/** One column: its heading and how to read a row's cell. */
export type Column<T> = [heading: string, cell: (row: T) => unknown];

/** A cell as text: absent values as "-", lists joined, objects as compact JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "-";
  if (Array.isArray(value)) return value.length === 0 ? "-" : value.map(cellText).join(",");
  if (value instanceof Uint8Array) return toBase64(value);
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? "-" : entries.map(([k, v]) => `${k}=${cellText(v)}`).join(",");
  }
  return String(value);
}

/** Rows as aligned columns under upper-case headings, two spaces apart. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = [columns.map(([heading]) => heading.toUpperCase()), ...rows.map((row) => columns.map(([, cell]) => cellText(cell(row))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells.map((line) => line.map((text, i) => (i === line.length - 1 ? text : text.padEnd(widths[i]!))).join("  ")).join("\n") + "\n";
}

/** One record as `field: value` lines, labels aligned. */
export function record(fields: readonly [label: string, value: unknown][]): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width + 1)} ${cellText(value)}`).join("\n") + "\n";
}

/** JSON for scripts: bytes as base64 (the wire form), one document, newline-terminated. */
export function json(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (v instanceof Uint8Array ? toBase64(v) : v), 2) + "\n";
}
