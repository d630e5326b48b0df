// Python `zarr` (zarr-python 2.x, Debian's python3-zarr) as the independent implementation our OME-Zarr
// reader and writer are checked against. Tests that need it skip when no python3 here has it.
import { spawnSync } from 'node:child_process';

export const PYTHON = ['/usr/bin/python3', 'python3'].find(
  (p) => spawnSync(p, ['-c', 'import zarr, numpy'], { stdio: 'ignore' }).status === 0,
);

/** Runs `script` with `args` (sys.argv[1:]) under the python that has zarr; returns its stdout as JSON. */
export function runPython(script: string, args: string[]): unknown {
  if (!PYTHON) throw new Error('no python3 with zarr');
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null') as unknown;
}

/**
 * Writes an NGFF image with zarr-python: `axes` (e.g. "czyx"), shape, numpy dtype, scale per axis and units,
 * values arange(n) % 251 (so every voxel differs from its neighbours), gzip chunks of half the shape.
 */
export const WRITE_NGFF = `
import sys, json, zarr, numpy as np, numcodecs
path, axes, shape, dtype, scale, unit, version = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4], json.loads(sys.argv[5]), sys.argv[6], sys.argv[7]
data = (np.arange(int(np.prod(shape))) % 251).astype(dtype).reshape(shape)
root = zarr.open_group(zarr.DirectoryStore(path), mode='w')
chunks = tuple(max(1, s // 2) for s in shape)
root.create_dataset('0', data=data, chunks=chunks, compressor=numcodecs.GZip(5))
root.create_dataset('1', data=data[..., ::2, ::2], chunks=chunks, compressor=numcodecs.GZip(5))
kinds = {'t': 'time', 'c': 'channel'}
ax = [dict(name=a, type=kinds.get(a, 'space'), **({'unit': unit} if a in 'zyx' and unit else {})) for a in axes]
s1 = [v * (2 if a in 'yx' else 1) for a, v in zip(axes, scale)]
ms = dict(version=version, axes=ax, datasets=[
  dict(path='0', coordinateTransformations=[dict(type='scale', scale=scale)]),
  dict(path='1', coordinateTransformations=[dict(type='scale', scale=s1)])])
root.attrs['multiscales'] = [ms]
if 'c' in axes:
  root.attrs['omero'] = dict(channels=[dict(label='ch%d' % i, color='FFFFFF', window=dict(start=0, end=250, min=0, max=250)) for i in range(shape[axes.index('c')])])
print(json.dumps(dict(zarr=zarr.__version__, sum=float(data.astype('float64').sum()))))
`;
