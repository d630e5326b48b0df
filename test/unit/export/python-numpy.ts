// A Python with numpy and PyYAML, to read what the export writes with independent implementations (numpy.load,
// yaml.safe_load, zipfile, numpy.percentile); undefined (the tests skip) where there is none.
import { spawnSync } from 'node:child_process';

export const python: string | undefined = ['/usr/bin/python3', 'python3'].find(
  (p) => spawnSync(p, ['-c', 'import numpy, yaml, zipfile'], { stdio: 'ignore' }).status === 0,
);

export const pythonMissing = python ? '' : ' [skipped: no python3 with numpy and PyYAML]';

/** Runs `script` with `args`; its stdout is parsed as JSON. */
export function runPython(script: string, ...args: string[]): unknown {
  const r = spawnSync(python!, ['-c', script, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
