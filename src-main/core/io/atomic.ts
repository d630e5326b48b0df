// Atomic file writes: write a temp file beside the target, fsync, then rename over it.
// A crash or a full disk leaves either the old file or no file, never a half-written one.
import { promises as fs } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FileExistsError, IoError } from '../errors';

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
    handle = await fs.open(tmp, 'wx');
    const h = handle;
    await produce(async (chunk) => {
      let off = 0;
      while (off < chunk.byteLength) {
        const { bytesWritten } = await h.write(chunk, off, chunk.byteLength - off);
        off += bytesWritten;
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
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOSPC' ? 'disk full' : err.code === 'EACCES' || err.code === 'EROFS' || err.code === 'EPERM' ? 'folder is not writable' : err.message;
    throw new IoError(target, `could not write (${why})`, e);
  }
}

/** Convenience: atomically write a whole buffer or string. */
export async function writeBytesAtomic(target: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  await writeFileAtomic(target, async (append) => append(bytes), options);
}
