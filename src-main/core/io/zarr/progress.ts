// The progress record of an OME-Zarr being built box by box in `<out>.partial/`: what it is a result of
// (the input's fingerprint and a key of every option that changes the voxels), which boxes are complete,
// the value range written so far, and state a resumed run needs (normalisation, network statistics).
// Rewritten atomically (temp file, fsync, rename) after each box's chunks are on disk, so a kill at any
// moment leaves a record that names only complete boxes.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { InvalidParameterError } from '../../errors';

export const PROGRESS_FILE = 'progress.json';

export interface ProgressRecord {
  version: 1;
  /** What the output is computed from: the input's fingerprint and the options (hashes). */
  fingerprint: string;
  optionsKey: string;
  /** A readable copy of the options, to say what changed. */
  options: Record<string, unknown>;
  boxes: number;
  /** One character per box, '1' when its chunks are written. */
  done: string;
  /** Pyramid levels built (1 = only full resolution). */
  levels: number;
  min: number;
  max: number;
  /** Per-volume state (normalisation, network statistics), keyed "t/c". */
  state: Record<string, unknown>;
}

/** The partial output was started by a different input or with different options: continuing would mix them. */
export class ResumeMismatchError extends InvalidParameterError {
  constructor(
    readonly partial: string,
    what: string,
  ) {
    super(
      'resume',
      `${partial} was started ${what}, so it cannot be continued`,
      `Run the original command again to finish it, or delete ${partial} to start afresh (or pass --force).`,
    );
  }
}

export async function readProgress(folder: string): Promise<ProgressRecord | undefined> {
  const text = await fs.readFile(join(folder, PROGRESS_FILE), 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (text === undefined) return undefined;
  try {
    const r = JSON.parse(text) as ProgressRecord;
    if (r.version !== 1 || typeof r.done !== 'string' || r.done.length !== r.boxes)
      throw new Error('unexpected fields');
    return r;
  } catch (e) {
    throw new ResumeMismatchError(folder, `by a run whose progress record is unreadable (${(e as Error).message})`);
  }
}

export async function writeProgress(folder: string, r: ProgressRecord): Promise<void> {
  const file = join(folder, PROGRESS_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  const h = await fs.open(tmp, 'w');
  try {
    await h.writeFile(JSON.stringify(r));
    await h.sync();
  } finally {
    await h.close();
  }
  await fs.rename(tmp, file);
}

/** Says how a stored record differs from this run's, or nothing when the run may continue it. */
export function mismatch(
  stored: ProgressRecord,
  fingerprint: string,
  optionsKey: string,
  options: Record<string, unknown>,
): string | undefined {
  if (stored.fingerprint !== fingerprint) return 'from a different input (its fingerprint changed)';
  if (stored.optionsKey === optionsKey) return undefined;
  return `with other options (${changedKeys(stored.options, options).join(', ') || 'options'} changed)`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Dotted names of the leaves that differ ("details.iterations"). */
function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>, prefix = ''): string[] {
  return Object.keys({ ...a, ...b }).flatMap((k) => {
    const x = a[k],
      y = b[k];
    if (isRecord(x) && isRecord(y)) return changedKeys(x, y, `${prefix}${k}.`);
    return JSON.stringify(x) === JSON.stringify(y) ? [] : [`${prefix}${k}`];
  });
}
