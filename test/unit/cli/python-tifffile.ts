// A Python with tifffile and numpy, for tests that write inputs or check outputs with an independent TIFF
// implementation; undefined (the tests skip) where there is none.
import { spawnSync } from 'node:child_process';
import { fixture } from '../../helpers';

export const python: string | undefined = ['/usr/bin/python3', 'python3'].find(
  (p) => spawnSync(p, ['-c', 'import tifffile, numpy'], { stdio: 'ignore' }).status === 0,
);

export const pythonMissing = python ? '' : ' [skipped: no python3 with tifffile and numpy]';

/** Runs test/fixtures/make_hyperstacks.py with `args`; returns its stdout. */
export function hyperstackScript(...args: string[]): string {
  const r = spawnSync(python!, [fixture('make_hyperstacks.py'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make_hyperstacks.py ${args[0]} failed: ${r.stderr}`);
  return r.stdout;
}

export interface TifffileView {
  axes: string;
  shape: number[];
  dtype: string;
  unit: string | null;
  x: number;
  spacing: number | null;
  finterval: number | null;
  description: Record<string, string | number | boolean>;
}

/** What tifffile sees in `file`. */
export function tifffileView(file: string): TifffileView {
  return (JSON.parse(hyperstackScript('read', file)) as Record<string, TifffileView>)[file]!;
}
