// Progress with ETA on stderr: a redrawn bar on a terminal; elsewhere (a cluster job's log file, a pipe) plain
// timestamped lines, at most one per `everyMs` and one when the task ends, so a log shows how far a job got
// and when without carriage returns or escape codes.
export interface Progress {
  /** done of total units, optional message. */
  update(done: number, total: number, message?: string): void;
  finish(message?: string): void;
}

export interface ProgressOptions {
  /** Least time between two plain lines (default 30 s). */
  everyMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    r = s % 60;
  return h > 0
    ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`
    : `${m}:${String(r).padStart(2, '0')}`;
}

/** UTC to the second, as log lines of cluster jobs on different nodes are compared. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function createProgress(
  label: string,
  interactive: boolean,
  write: (s: string) => void = (s) => process.stderr.write(s),
  options: ProgressOptions = {},
): Progress {
  const now = options.now ?? Date.now;
  const everyMs = options.everyMs ?? 30_000;
  const start = now();
  let lastDraw = interactive ? 0 : start;
  const tail = (message?: string) => (message ? ` ${message}` : '');
  return {
    update(done, total, message) {
      const t = now();
      if (interactive ? t - lastDraw < 100 && done < total : t - lastDraw < everyMs) return;
      lastDraw = t;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const elapsed = (t - start) / 1000;
      const eta = formatDuration(frac > 0 ? (elapsed * (1 - frac)) / frac : NaN);
      if (!interactive) {
        write(`${timestamp(t)} ${label} ${done}/${total} (${Math.round(frac * 100)} %) ETA ${eta}${tail(message)}\n`);
        return;
      }
      const width = 28;
      const filled = Math.round(frac * width);
      write(
        `\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ETA ${eta} ${message ?? ''}\x1b[K`,
      );
    },
    finish(message) {
      const t = now();
      const took = formatDuration((t - start) / 1000);
      write(
        interactive
          ? `\r${label} done in ${took} ${message ?? ''}\x1b[K\n`
          : `${timestamp(t)} ${label} done in ${took}${tail(message)}\n`,
      );
    },
  };
}
