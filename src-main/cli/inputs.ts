// Expands the inputs of a batch command: plain files, directories (their .tif/.tiff files) and
// simple globs (* and ? in the last path segment, for shells that pass them through quoted).
import { promises as fs } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { FileNotFoundError, InvalidParameterError } from '../core/errors';
import { isZarrFolder } from '../core/io/zarr/store';

const TIFF = /\.(tif|tiff)$/i;

function globToRegExp(pattern: string): RegExp {
  const esc = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${esc}$`);
}

async function listDir(dir: string, filter: (name: string) => boolean): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && filter(e.name))
    .map((e) => join(dir, e.name))
    .sort();
}

export async function expandInputs(patterns: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of patterns) {
    if (/[*?]/.test(basename(p))) {
      const re = globToRegExp(basename(p));
      const matches = await listDir(dirname(p), (n) => re.test(n)).catch(() => []);
      if (matches.length === 0) throw new InvalidParameterError('input', `"${p}" matches no files`);
      out.push(...matches);
      continue;
    }
    const st = await fs.stat(p).catch(() => undefined);
    if (!st) throw new FileNotFoundError(p);
    if (st.isDirectory() && !(await isZarrFolder(p))) {
      // An OME-Zarr folder is one input; any other folder stands for the stacks in it.
      const files = await listDir(p, (n) => TIFF.test(n));
      if (files.length === 0) throw new InvalidParameterError('input', `folder "${p}" holds no .tif/.tiff files`);
      out.push(...files);
    } else out.push(p);
  }
  return [...new Set(out)];
}

/** Output path of `input` inside folder `outDir`: "<name>_<suffix>.tif" (or `ext`, e.g. ".zarr"). */
export function outputPathFor(input: string, outDir: string, suffix: string, ext = '.tif'): string {
  const stem = basename(input.replace(/[/\\]+$/, ''), extname(input.replace(/[/\\]+$/, ''))).replace(/\.ome$/i, '');
  return join(outDir, `${stem}_${suffix}${ext}`);
}

/** True when `out` names a folder: it exists as one, ends with a separator, or there are several inputs. */
export async function outputIsFolder(out: string, inputCount: number): Promise<boolean> {
  if (/\.zarr$/i.test(out)) return inputCount > 1;
  if (inputCount > 1 || /[/\\]$/.test(out)) return true;
  const st = await fs.stat(out).catch(() => undefined);
  return Boolean(st?.isDirectory()) || (!st && extname(out) === '');
}
