/**
 * Progress for long work (streams, SLH-DSA signing) with cli-progress, on stderr and only when
 * stderr is a terminal: piped or redirected, or with `--quiet`, nothing is drawn, so scripts and
 * logs see only what the command prints on purpose.
 */
import { Presets, SingleBar } from "cli-progress";
import type { Io } from "./io.ts";

export interface Progress {
  /** Bytes (or steps) done so far. */
  update(done: number): void;
  /** Removes the bar. */
  stop(): void;
}

const SILENT: Progress = { update() {}, stop() {} };

/** Whether a bar may be drawn: stderr is a terminal and `--quiet` was not given. */
export function mayDraw(io: Io, quiet: boolean): boolean {
  return !quiet && io.stderr.isTTY === true;
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A bar over `total` bytes (a count of MiB when the total is unknown, as from stdin). */
export function bytesProgress(io: Io, quiet: boolean, label: string, total: number | undefined): Progress {
  if (!mayDraw(io, quiet)) return SILENT;
  const known = total !== undefined && total > 0;
  const bar = new SingleBar(
    {
      stream: io.stderr,
      format: known ? `${label} {bar} {percentage}% | {done} of {all} | {eta_formatted} left` : `${label} {done}`,
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    Presets.shades_classic,
  );
  bar.start(known ? total : 1, 0, { done: mib(0), all: known ? mib(total) : "" });
  return {
    update: (done) => bar.update(known ? Math.min(done, total) : 0, { done: mib(done) }),
    stop: () => bar.stop(),
  };
}

/**
 * A bar for one call of unknown length (an SLH-DSA signature takes seconds), drawn only if the call
 * is still running after `afterMs`, so quick calls never flash one.
 */
export async function whileWaiting<T>(io: Io, quiet: boolean, label: string, work: Promise<T>, afterMs = 400): Promise<T> {
  if (!mayDraw(io, quiet)) return work;
  let bar: SingleBar | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  const timer = setTimeout(() => {
    bar = new SingleBar({ stream: io.stderr, format: `${label} {bar} {duration}s`, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
    bar.start(10, 0);
    let step = 0;
    ticker = setInterval(() => bar?.update((step = (step + 1) % 11)), 200);
  }, afterMs);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
    if (ticker !== undefined) clearInterval(ticker);
    bar?.stop();
  }
}
