// Turns the user's --blurred/--sharp arguments (folders and/or files) into a sorted list of stack paths
// (TIFF files, OME-Zarr folders).
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { FileNotFoundError, InvalidParameterError } from '../errors';
import { isZarrFolder } from '../io/zarr/store';

const TIFF = /\.(tif|tiff|ome\.tif|ome\.tiff|zarr)$/i;

export async function resolveStackPaths(inputs: string[], label: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of inputs) {
    const st = await fs.stat(p).catch(() => null);
    if (!st) throw new FileNotFoundError(p);
    if (st.isDirectory() && !(await isZarrFolder(p))) {
      const files = (await fs.readdir(p)).filter((f) => TIFF.test(f) && !f.startsWith('.')).sort();
      out.push(...files.map((f) => join(p, f)));
    } else out.push(p);
  }
  if (out.length === 0) throw new InvalidParameterError(label, `no TIFF stacks found in ${inputs.join(', ')}`);
  return out;
}
