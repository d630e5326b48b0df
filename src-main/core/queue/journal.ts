// Append-only JSONL journal of job records, fsynced after every state change: after a SIGKILL the
// last complete line of each job wins and a torn last line is ignored. Compacted on open.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Job, Result } from '../../contract/schemas';
import { writeBytesAtomic } from '../io/atomic';

export interface JobRecord {
  job: Job;
  results: Result[];
  /** Monotonic submission order (ties of priority run in this order). */
  seq: number;
}

/** The latest record of every job in the journal of `dir`, read-only (e.g. from a job worker). Empty when there is none. */
export async function readJournal(dir: string): Promise<Map<string, JobRecord>> {
  const records = new Map<string, JobRecord>();
  let text = '';
  try {
    text = await fs.readFile(join(dir, 'journal.jsonl'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const rec = JSON.parse(line) as JobRecord;
      if (rec?.job?.id) records.set(rec.job.id, rec);
    } catch {
      // A torn final line from a crash mid-append: the previous record of that job stands.
    }
  }
  return records;
}

export class Journal {
  private handle?: fs.FileHandle;
  private chain: Promise<void> = Promise.resolve();
  constructor(readonly dir: string) {}

  get file(): string {
    return join(this.dir, 'journal.jsonl');
  }

  /** Reads every record, rewrites the file compacted (atomically), and opens it for appending. */
  async open(): Promise<Map<string, JobRecord>> {
    await fs.mkdir(this.dir, { recursive: true });
    const records = await readJournal(this.dir);
    const compact = [...records.values()].sort((a, b) => a.seq - b.seq).map((r) => JSON.stringify(r) + '\n').join('');
    await writeBytesAtomic(this.file, compact, { force: true });
    this.handle = await fs.open(this.file, 'a');
    return records;
  }

  /** Appends a record and fsyncs; resolves once it is on disk. */
  append(rec: JobRecord): Promise<void> {
    const line = JSON.stringify(rec) + '\n';
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
}
