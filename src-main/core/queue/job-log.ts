// A job's log: one line per runner log call in `<work folder>/log.txt`, read back from a line number on.
import { promises as fs } from 'node:fs';

/** Appends one line (newlines inside it become spaces); a failed write is dropped, the run goes on. */
export function appendLogLine(file: string, line: string): void {
  void fs.appendFile(file, line.replace(/\n/g, ' ') + '\n').catch(() => undefined);
}

/** The lines from `since` on and the number to ask from next time; no file yet reads as no lines. */
export async function readLogLines(file: string, since: number): Promise<{ lines: string[]; next: number }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return { lines: [], next: since };
  }
  const all = text.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1);
  return { lines: all.slice(since), next: all.length };
}
