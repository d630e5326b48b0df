// Append-only JSONL journal of job records, fsynced after every state change: after a SIGKILL the
// last complete line of each job wins. Compacted on open. Every line is checked against the job
// schema when read; a line that fails (a torn last line, a hand edit, a record of another version)
// is moved to a quarantine file beside the journal, with a warning, and the rest of the queue opens.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Job, Result } from '../../contract/schemas';
import { upgradeRetiredKeys } from '../../contract/train-config-retired';
import { InvalidParameterError } from '../errors';
import { writeBytesAtomic } from '../io/atomic';

export const JOURNAL_FILE = 'journal.jsonl';
/** Set-aside lines, appended (never rewritten): one JSON object per line with the original text. */
export const QUARANTINE_FILE = 'journal.quarantine.jsonl';

export const JobRecord = z.object({
  job: Job,
  results: z.array(Result),
  /** Monotonic submission order (ties of priority run in this order). */
  seq: z.number().int().nonnegative(),
});
export type JobRecord = z.infer<typeof JobRecord>;

/** A journal line that could not be used: its 1-based line number, text and why. */
export interface RejectedLine {
  lineNo: number;
  text: string;
  reason: string;
}

/**
 * A train job journalled before some config keys were retired: its `spec.config` with them moved or dropped
 * (contract/train-config-retired.ts), and what was dropped, so the record still parses and is not quarantined.
 */
function upgradeTrainRecord(raw: unknown): { raw: unknown; notes: string[] } {
  const spec = (raw as { job?: { spec?: { kind?: unknown; config?: unknown } } } | null)?.job?.spec;
  if (spec?.kind !== 'train' || spec.config === undefined) return { raw, notes: [] };
  const { config, notes } = upgradeRetiredKeys(spec.config);
  const rec = raw as { job: { id?: unknown; spec: object } };
  return {
    raw: { ...rec, job: { ...rec.job, spec: { ...spec, config } } },
    notes: notes.map((n) => `job ${String(rec.job.id)}: ${n}`),
  };
}

/** Why `line` is not a usable record, or the record (and what upgrading its train config dropped). */
function parseLine(line: string, isLast: boolean): { rec: JobRecord; notes: string[] } | { reason: string } {
  let text: unknown;
  try {
    text = JSON.parse(line);
  } catch (e) {
    return { reason: isLast ? 'incomplete last line (a write was interrupted)' : `not JSON (${(e as Error).message})` };
  }
  const { raw, notes } = upgradeTrainRecord(text);
  const parsed = JobRecord.safeParse(raw);
  if (parsed.success) return { rec: parsed.data, notes };
  const why = parsed.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`)
    .join('; ');
  return { reason: `not a job record (${why})` };
}

/** The latest valid record of every job in the journal of `dir`, and the lines that are not valid records. */
export async function loadJournal(
  dir: string,
): Promise<{ records: Map<string, JobRecord>; rejected: RejectedLine[]; notes: string[] }> {
  const records = new Map<string, JobRecord>();
  const rejected: RejectedLine[] = [];
  const notes = new Set<string>();
  let text = '';
  try {
    text = await fs.readFile(join(dir, JOURNAL_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const isLast = i === lines.length - 1; // a complete record always ends with '\n'
    const r = parseLine(line, isLast);
    // A bad line leaves the previous record of its job standing.
    if ('rec' in r) {
      records.set(r.rec.job.id, r.rec);
      r.notes.forEach((n) => notes.add(n));
    } else rejected.push({ lineNo: i + 1, text: line, reason: r.reason });
  });
  return { records, rejected, notes: [...notes] };
}

/** The latest valid record of every job in the journal of `dir`, read-only (e.g. from a job worker). Empty when there is none. */
export async function readJournal(dir: string): Promise<Map<string, JobRecord>> {
  return (await loadJournal(dir)).records;
}

export class Journal {
  private handle?: fs.FileHandle;
  private chain: Promise<void> = Promise.resolve();
  /** What open() set aside, in words for the app or CLI to show (empty when nothing was). */
  warnings: string[] = [];
  constructor(readonly dir: string) {}

  get file(): string {
    return join(this.dir, JOURNAL_FILE);
  }
  get quarantineFile(): string {
    return join(this.dir, QUARANTINE_FILE);
  }

  /** Reads every valid record, quarantines the rest, rewrites the file compacted (atomically), and opens it for appending. */
  async open(): Promise<Map<string, JobRecord>> {
    await fs.mkdir(this.dir, { recursive: true });
    const { records, rejected, notes } = await loadJournal(this.dir);
    // Durable before the compaction below drops those lines from the journal.
    if (rejected.length) await this.quarantine(rejected);
    // Retired train config keys: the compaction below writes the upgraded records, so this is said once.
    this.warnings.push(...notes);
    const compact = [...records.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((r) => this.encode(r))
      .join('');
    await writeBytesAtomic(this.file, compact, { force: true });
    this.handle = await fs.open(this.file, 'a');
    return records;
  }

  /** The journal line of `rec`; a typed error when it cannot be serialised (then nothing may keep the record). */
  encode(rec: JobRecord): string {
    try {
      return JSON.stringify(rec) + '\n';
    } catch (e) {
      throw new InvalidParameterError(
        `job ${rec.job.id}`,
        `cannot be written to the queue journal (${(e as Error)?.message ?? String(e)})`,
        'Send plain JSON values nested at most a few levels deep.',
      );
    }
  }

  /** Appends a record and fsyncs; resolves once it is on disk, rejects (and writes nothing) when it cannot be serialised. */
  async append(rec: JobRecord): Promise<void> {
    return this.appendLine(this.encode(rec));
  }

  /** Appends a line from encode() and fsyncs; writes are serialised. */
  appendLine(line: string): Promise<void> {
    const step = async () => {
      if (!this.handle) throw new Error('journal is closed');
      await this.handle.write(line);
      await this.handle.datasync();
    };
    const next = this.chain.then(step, step);
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async quarantine(rejected: RejectedLine[]): Promise<void> {
    const at = new Date().toISOString();
    const text = rejected
      .map((r) => JSON.stringify({ quarantinedAt: at, line: r.lineNo, reason: r.reason, text: r.text }) + '\n')
      .join('');
    const h = await fs.open(this.quarantineFile, 'a');
    try {
      await h.write(text);
      await h.datasync();
    } finally {
      await h.close();
    }
    const shown = rejected.slice(0, 5).map((r) => `line ${r.lineNo}: ${r.reason}`);
    if (rejected.length > shown.length) shown.push(`and ${rejected.length - shown.length} more`);
    this.warnings = [
      `${rejected.length} unusable line(s) of ${this.file} moved to ${this.quarantineFile}; the other jobs are open (${shown.join('; ')})`,
    ];
  }
}
