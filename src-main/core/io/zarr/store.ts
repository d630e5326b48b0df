// A read-only zarrita store over one folder that never leaves it: every key is resolved through its links
// and refused when it lands outside the folder (a chunk linked to /etc/shadow), as TIFF inputs are confined.
// Chunks and metadata are opened only as regular files (paths.openRegularFile), so a FIFO never blocks.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { isInside, openRegularFile, readError } from '../paths';
import { FileNotFoundError, ZarrFormatError } from '../../errors';

/** Metadata documents (.zattrs, .zarray, zarr.json) above this size are refused: no genuine one is near it. */
export const MAX_METADATA_BYTES = 4 * 1024 * 1024;

export class ConfinedFolderStore {
  /** Bytes read so far (for tests and the benchmark). */
  bytesRead = 0;
  constructor(
    readonly folder: string,
    private readonly root: string,
    private readonly maxChunkBytes: number,
  ) {}

  /** Opens `folder` (resolved through its links once: the user named it). */
  static async open(folder: string, maxChunkBytes: number): Promise<ConfinedFolderStore> {
    let root: string;
    try {
      root = await fs.realpath(folder);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError(folder);
      throw readError(folder, e);
    }
    return new ConfinedFolderStore(folder, root, maxChunkBytes);
  }

  /** zarrita's Readable: the bytes stored under `key` ("/0/.zarray"), or undefined when there are none. */
  async get(key: string): Promise<Uint8Array | undefined> {
    const parts = key.split('/').filter((p) => p !== '');
    if (parts.some((p) => p === '..' || p === '.'))
      throw new ZarrFormatError(this.folder, `refers to "${key}", which leads out of the folder`);
    let real: string;
    try {
      real = await fs.realpath(join(this.root, ...parts));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw readError(join(this.folder, ...parts), e);
    }
    if (!isInside(this.root, real)) {
      throw new ZarrFormatError(
        this.folder,
        `${parts.join('/')} is a link to ${real}, outside the folder; links out of a Zarr folder are not followed`,
        'Copy the data into the folder instead of linking to it.',
      );
    }
    const isMeta = /(^|\/)(\.zarray|\.zattrs|\.zgroup|zarr\.json)$/.test(key);
    const limit = isMeta ? MAX_METADATA_BYTES : this.maxChunkBytes;
    const { handle, stats } = await openRegularFile(
      real,
      (p, st) =>
        new ZarrFormatError(
          this.folder,
          `${parts.join('/')} is not a regular file (${st.isDirectory() ? 'a folder' : 'a special file'})`,
        ),
    );
    try {
      if (stats.size > limit)
        throw new ZarrFormatError(
          this.folder,
          `${parts.join('/')} is ${stats.size} bytes, above the ${limit}-byte limit for ${isMeta ? 'a metadata document' : 'one chunk'}`,
        );
      const bytes = new Uint8Array(await handle.readFile());
      this.bytesRead += bytes.byteLength;
      return bytes;
    } finally {
      await handle.close();
    }
  }

  /** A JSON document of the store, or undefined when absent; malformed JSON is a ZarrFormatError. */
  async json(key: string): Promise<unknown> {
    const bytes = await this.get(key);
    if (bytes === undefined) return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    } catch (e) {
      throw new ZarrFormatError(this.folder, `${key.replace(/^\//, '')} is not valid JSON (${(e as Error).message})`);
    }
  }
}

/** True when `path` is a folder holding Zarr metadata at its top (v2 .zgroup/.zattrs/.zarray, v3 zarr.json). */
export async function isZarrFolder(path: string): Promise<boolean> {
  const st = await fs.stat(path).catch(() => null);
  if (!st?.isDirectory()) return false;
  for (const name of ['.zgroup', '.zattrs', '.zarray', 'zarr.json']) {
    if (
      await fs.lstat(join(path, name)).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}
