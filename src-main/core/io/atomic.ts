// Atomic file writes: write a temp file beside the target, fsync, then rename over it.
// A crash or a full disk leaves either the old file or no file, never a half-written one.
import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FileExistsError, IoError } from '../errors';
import { writeBudgetFor } from './write-faults';

export interface AtomicWriteOptions {
  /** Replace an existing file. Without it an existing target is an error (we never overwrite a user's data silently). */
  force?: boolean;
}

export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes chunks produced by `produce` to a temp file and renames it onto `target`.
 * `produce` receives an append function; it may be called many times (streaming writes).
 */
export async function writeFileAtomic(
  target: string,
  produce: (append: (chunk: Uint8Array) => Promise<void>) => Promise<void>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  if (!options.force && (await exists(target))) throw new FileExistsError(target);
  const tmp = tempPathFor(target);
  let handle: fs.FileHandle | undefined;
  try {
    const budget = writeBudgetFor(target, tmp);
    handle = await fs.open(tmp, 'wx');
    const h = handle;
    let position = 0;
    await produce(async (chunk) => {
      let off = 0;
      while (off < chunk.byteLength) {
        const want = chunk.byteLength - off;
        const { bytesWritten } = await h.write(chunk, off, budget ? budget.take(position, want) : want);
        off += bytesWritten;
        position += bytesWritten;
      }
    });
    await h.sync();
    await h.close();
    handle = undefined;
    if (!options.force && (await exists(target))) throw new FileExistsError(target);
    await fs.rename(tmp, target);
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof FileExistsError) throw e;
    throw writeError(target, e);
  }
}

/** The IoError for a failed write of `target`: "disk full", "folder is not writable", or the OS message. */
export function writeError(target: string, e: unknown): IoError {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === 'ENOSPC' ? 'disk full' : err.code === 'EACCES' || err.code === 'EROFS' || err.code === 'EPERM' ? 'folder is not writable' : err.message;
  return new IoError(target, `could not write (${why})`, e);
}

/** Creates an output folder (and its parents); a failure is an IoError that says why. */
export async function makeOutputFolder(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    // Node's recursive mkdir reports ENOENT below a read-only folder; a plain mkdir gives the real reason (EROFS).
    const plain = await fs.mkdir(dir).then(() => null, (e2: unknown) => e2 as NodeJS.ErrnoException);
    if (plain === null) return;
    throw writeError(dir, plain.code === 'ENOENT' ? e : plain);
  }
}

const TEMP = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files that killed processes left in `dir` (names from tempPathFor whose process is gone).
 * They are never taken for outputs, but they hold disk space. Returns the names removed.
 */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || Number(m[2]) === process.pid || processAlive(Number(m[2]))) continue;
    await fs.rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** Convenience: atomically write a whole buffer or string. */
export async function writeBytesAtomic(target: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  await writeFileAtomic(target, async (append) => append(bytes), options);
}
