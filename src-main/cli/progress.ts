// A terminal progress bar with ETA, drawn on stderr; silent when stderr is not a terminal.
export interface Progress {
  /** done of total units, optional message. */
  update(done: number, total: number, message?: string): void;
  finish(message?: string): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

export function createProgress(label: string, interactive: boolean, write: (s: string) => void = (s) => process.stderr.write(s)): Progress {
  const start = Date.now();
  let lastDraw = 0;
  return {
    update(done, total, message) {
      const now = Date.now();
      if (!interactive || (now - lastDraw < 100 && done < total)) return;
      lastDraw = now;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const width = 28;
      const filled = Math.round(frac * width);
      const elapsed = (now - start) / 1000;
      const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : NaN;
      write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ETA ${formatDuration(eta)} ${message ?? ''}\x1b[K`);
    },
    finish(message) {
      const elapsed = (Date.now() - start) / 1000;
      if (interactive) write(`\r${label} done in ${formatDuration(elapsed)} ${message ?? ''}\x1b[K\n`);
    },
  };
}
