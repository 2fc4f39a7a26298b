/**
 * Argument readers shared by the commands: commander calls them on each value and turns their
 * InvalidArgumentError into a usage error naming the flag.
 */
import { InvalidArgumentError } from "commander";

/** A positive integer (versions, days, page sizes). */
export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError("must be a positive integer");
  }
  return Number(value);
}

/** Appends a repeated flag's values (`--scope a --scope b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `key=value` pairs of a repeated flag (`--label env=prod`). */
export function keyValue(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const at = value.indexOf("=");
  if (at < 1) throw new InvalidArgumentError("must be key=value");
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

const encoder = new TextEncoder();

/** A flag's text as UTF-8 bytes (`--aad`, `--context`), or undefined when absent. */
export function utf8(value: string | undefined): Uint8Array | undefined {
  return value === undefined ? undefined : encoder.encode(value);
}
