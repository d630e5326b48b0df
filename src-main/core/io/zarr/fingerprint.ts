// The content fingerprint of an OME-Zarr folder for a project's duplicate and moved-file detection (TIFFs
// hash their first MiB and size, project/hash.ts): the metadata documents at the top, and the name and size
// of every file, in order, without reading the chunks. Only regular files inside the folder count; links
// leading out are skipped, as the reader refuses them.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join, relative } from 'node:path';
import { isInside } from '../paths';

const METADATA = ['.zgroup', '.zattrs', 'zarr.json'];
/** A folder with more files than this is fingerprinted on its first ones (a 200×4096² stack has ~10⁴). */
const MAX_FILES = 1_000_000;

export async function zarrFingerprint(folder: string): Promise<{ hash: string; size: number; mtimeMs: number }> {
  const root = await fs.realpath(folder);
  const h = createHash('sha256');
  for (const name of METADATA) {
    const st = await fs.lstat(join(root, name)).catch(() => null);
    if (st?.isFile() && st.size < 4 * 1024 * 1024) h.update(`${name}:`).update(await fs.readFile(join(root, name)));
  }
  let size = 0,
    mtimeMs = 0,
    files = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      if (files >= MAX_FILES) return;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && isInside(root, p)) {
        const st = await fs.stat(p);
        h.update(`${relative(root, p)}:${st.size};`);
        size += st.size;
        mtimeMs = Math.max(mtimeMs, st.mtimeMs);
        files++;
      }
    }
  };
  await walk(root);
  return { hash: h.update(`:${size}`).digest('hex'), size, mtimeMs };
}
