// Where a path really leads, and what it is, before anything is opened or written. Every write of the
// app into the project (results, PSFs, reports, thumbnails) is confined by confinedPath; every input is
// opened by openRegularFile, so a FIFO, socket or device never blocks a thread or gets replaced.
import { constants, promises as fs, type Stats } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { FileNotFoundError, IoError, OutsideFolderError, TiffFormatError } from '../errors';

/** What a non-regular file is, in words for an error message. */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'a special file';
}

/** True when `p` is `root` or lies under it (both already resolved). */
export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** realpath of the deepest existing ancestor, plus the part that does not exist yet. */
export async function realish(p: string): Promise<string> {
  let cur = p;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = await fs.realpath(cur);
      return rest.length ? resolve(real, ...rest.reverse()) : real;
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return p;
      rest.push(cur.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      cur = parent;
    }
  }
}

/**
 * The resolved path of `target` when it lies inside `folder` after following every symlink of its folders;
 * throws OutsideFolderError otherwise. The last component is not followed: an atomic rename replaces a
 * link there, it never writes through it.
 */
export async function confinedPath(folder: string, target: string): Promise<string> {
  const root = await realish(resolve(folder));
  // A ".." that survived would be resolved lexically by us but physically (through links) by the OS.
  if (target.split(/[\\/]+/).includes('..')) throw new OutsideFolderError(target, folder);
  const abs = resolve(folder, target);
  const real = resolve(await realish(dirname(abs)), relative(dirname(abs), abs));
  if (!isInside(root, real) || real === root) throw new OutsideFolderError(target, folder);
  return real;
}

/** The read error of `path` in the user's words, with a hint that fits reading (not disk space). */
export function readError(path: string, e: unknown): IoError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM')
    return new IoError(path, 'could not open (permission denied)', e, 'Check that you may read this file.');
  if (code === 'ELOOP')
    return new IoError(
      path,
      'could not open (too many levels of symbolic links)',
      e,
      'Check where the link points: it leads to itself.',
    );
  if (code === 'ENOTDIR')
    return new IoError(path, 'could not open (a part of the path is not a folder)', e, 'Check the path.');
  return new IoError(
    path,
    `could not open (${code ?? (e as Error).message})`,
    e,
    'Check that the file is readable and the disk is attached.',
  );
}

/** The refusal of an input that is not a regular file (a FIFO would block the open until a writer came). */
function notRegular(path: string, st: Stats): Error {
  return new TiffFormatError(path, `is ${kindOf(st)}, not a regular file`, 'Give the path of a TIFF file.');
}

/** The same refusal for an input that is not a stack (a JSON config). */
function notRegularText(path: string, st: Stats): Error {
  return new IoError(path, `is ${kindOf(st)}, not a regular file`, undefined, 'Give the path of a regular file.');
}

/**
 * Opens an input for reading only if it is a regular file. stat comes first (it never blocks), and the open
 * is non-blocking so a FIFO swapped in between still cannot hang the thread; fstat then confirms.
 */
export async function openRegularFile(
  path: string,
  refuse: (path: string, st: Stats) => Error = notRegular,
): Promise<{ handle: fs.FileHandle; stats: Stats }> {
  let st: Stats;
  try {
    st = await fs.stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError(path);
    throw readError(path, e);
  }
  if (!st.isFile()) throw refuse(path, st);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError(path);
    throw readError(path, e);
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw refuse(path, stats);
  }
  return { handle, stats };
}

/** A small text input (a JSON config), read only if it is a regular file no larger than `maxBytes`. */
export async function readSmallTextFile(path: string, maxBytes = 1024 * 1024): Promise<string> {
  const { handle, stats } = await openRegularFile(path, notRegularText);
  try {
    if (stats.size > maxBytes)
      throw new IoError(
        path,
        `is ${stats.size} bytes, above the ${maxBytes}-byte limit for this kind of file`,
        undefined,
        'Check that the path names the right file.',
      );
    return await handle.readFile({ encoding: 'utf8' });
  } finally {
    await handle.close();
  }
}
