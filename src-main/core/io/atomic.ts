// Atomic file writes: write a temp file beside the target, fsync, then rename over it.
// A crash or a full disk leaves either the old file or no file, never a half-written one.
import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FileExistsError, IoError, NotRegularFileError } from '../errors';
import { writeBudgetFor } from './write-faults';
import { confinedPath, kindOf } from './paths';

export interface AtomicWriteOptions {
  /** Replace an existing file. Without it an existing target is an error (we never overwrite a user's data silently). */
  force?: boolean;
  /** The folder the target must resolve into (a project's results); a path leading out is refused before anything is written. */
  within?: string;
}

export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Refuses a target that exists and is not a regular file (even with force: a rename would put a file where a
 * FIFO, device or folder was), or that exists at all without force. A link is judged by what it points to.
 */
export async function checkExisting(target: string, force = false): Promise<void> {
  const st = await fs.stat(target).catch(() => null);
  if (!st) return;
  if (!st.isFile()) throw new NotRegularFileError(target, kindOf(st));
  if (!force) throw new FileExistsError(target);
}

/**
 * Everything a write checks before it starts, in one place: confinement to `within`, what is already at the
 * target, and the temp files of this target that killed runs left behind (swept).
 */
export async function prepareTarget(target: string, options: AtomicWriteOptions = {}): Promise<void> {
  if (options.within !== undefined) await confinedPath(options.within, target);
  await checkExisting(target, options.force);
  await removeStaleTempsOf(target);
}

/**
 * Pre-flight for a command that computes for a long time before it writes: the checks of prepareTarget, and a
 * probe file created and removed beside the target, so a missing or read-only folder fails in seconds.
 */
export async function checkOutputWritable(target: string, options: AtomicWriteOptions = {}): Promise<void> {
  await prepareTarget(target, options);
  const probe = tempPathFor(target);
  try {
    writeBudgetFor(target, probe);
    await (await fs.open(probe, 'wx')).close();
  } catch (e) {
    throw writeError(target, e);
  } finally {
    await fs.rm(probe, { force: true }).catch(() => undefined);
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
  await prepareTarget(target, options);
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
    await checkExisting(target, options.force);
    await fs.rename(tmp, target);
  } catch (e) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    if (e instanceof FileExistsError || e instanceof NotRegularFileError) throw e;
    throw writeError(target, e);
  }
}

/**
 * The IoError for a failed write of `target`, in terms of the user's path (never our hidden temp file):
 * "disk full", "folder is not writable", a missing folder, or the OS error code, each with a fitting hint.
 */
export function writeError(target: string, e: unknown): IoError {
  const err = e as NodeJS.ErrnoException;
  const folder = dirname(target);
  switch (err.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new IoError(target, 'could not write (disk full)', e);
    case 'EACCES':
    case 'EROFS':
    case 'EPERM':
      return new IoError(
        target,
        'could not write (folder is not writable)',
        e,
        `Choose a folder you may write to, or check the permissions of ${folder}.`,
      );
    case 'ENOENT':
      return new IoError(
        target,
        `could not write (the folder ${folder} does not exist)`,
        e,
        'Create the folder first, or choose another output path.',
      );
    case 'ENOTDIR':
      return new IoError(target, `could not write (a part of ${folder} is not a folder)`, e, 'Check the output path.');
    case 'EISDIR':
      return new IoError(target, 'could not write (it is a folder)', e, 'Give a file name for the output.');
    default:
      return new IoError(target, `could not write (${err.code ?? String((e as Error)?.message ?? e)})`, e);
  }
}

/** Creates an output folder (and its parents); a failure is an IoError that says why. */
export async function makeOutputFolder(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    // Node's recursive mkdir reports ENOENT below a read-only folder; a plain mkdir gives the real reason (EROFS).
    const plain = await fs.mkdir(dir).then(
      () => null,
      (e2: unknown) => e2 as NodeJS.ErrnoException,
    );
    if (plain === null) return;
    throw writeError(dir, plain.code === 'ENOENT' ? e : plain);
  }
}

const TEMP = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Whether a process with this pid runs on this host (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp files that killed processes left in `dir` (names from tempPathFor whose process is gone),
 * only those of `target` (a file name in `dir`) when given. They are never taken for outputs, but they hold
 * disk space. Only regular files are removed. Returns the names removed.
 */
export async function removeStaleTemps(dir: string, target?: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || (target !== undefined && m[1] !== target) || Number(m[2]) === process.pid || processAlive(Number(m[2])))
      continue;
    const st = await fs.lstat(join(dir, name)).catch(() => null);
    if (!st?.isFile()) continue;
    await fs.rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** The stale temp files of one target (see removeStaleTemps), swept before each write of it. */
export async function removeStaleTempsOf(target: string): Promise<string[]> {
  return removeStaleTemps(dirname(target), basename(target));
}

/** Convenience: atomically write a whole buffer or string. */
export async function writeBytesAtomic(
  target: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  await writeFileAtomic(target, async (append) => append(bytes), options);
}
