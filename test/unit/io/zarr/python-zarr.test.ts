// Independent implementation: zarr-python 2.x (Debian's python3-zarr, also installed in CI). Images it writes
// at test time are read by us with the right shape, axes, scale (units converted to µm), channel names and
// values; what we write is read back by it (shape, dtype, values, multiscales scale). Skips without it.
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { tempDir } from '../../../helpers';
import { openVolume, writeVolume, makeVolume, readVolume } from '../../../../src-main/core/io/index';
import { createHyperstackWriter, selectVolumes } from '../../../../src-main/core/io/hyperstack';
import { PYTHON, runPython, WRITE_NGFF } from './python-zarr';

const READ_OURS = `
import sys, json, zarr, numpy as np
g = zarr.open_group(sys.argv[1], mode='r')
ms = g.attrs['multiscales'][0]
a = g[ms['datasets'][0]['path']]
d = a[...]
print(json.dumps(dict(shape=list(a.shape), dtype=str(a.dtype), values=d.astype('float64').ravel().tolist(),
  scales=[t['coordinateTransformations'][0]['scale'] for t in ms['datasets']], axes=[x['name'] for x in ms['axes']],
  levels=[list(g[t['path']].shape) for t in ms['datasets']], compressor=a.compressor.codec_id)))
`;

const expected = (n: number) => Array.from({ length: n }, (_, i) => i % 251);

describe.skipIf(!PYTHON)(
  `OME-Zarr against zarr-python${PYTHON ? '' : ' [skipped: no python3 with zarr]'}`,
  { timeout: 60_000 },
  () => {
    it.each([
      [
        'zyx',
        [4, 6, 10],
        'uint8',
        [0.3, 0.1, 0.1],
        'micrometer',
        { channels: 1, frames: 1, voxel: { x: 0.1, y: 0.1, z: 0.3 } },
      ],
      [
        'czyx',
        [2, 3, 5, 7],
        'uint16',
        [1, 250, 65, 65],
        'nanometer',
        { channels: 2, frames: 1, voxel: { x: 0.065, y: 0.065, z: 0.25 } },
      ],
      [
        'tczyx',
        [2, 1, 3, 4, 4],
        'float32',
        [1, 1, 0.002, 0.0005, 0.0005],
        'millimeter',
        { channels: 1, frames: 2, voxel: { x: 0.5, y: 0.5, z: 2 } },
      ],
      [
        'yx',
        [6, 10],
        'uint16',
        [0.2, 0.2],
        'micrometer',
        { channels: 1, frames: 1, voxel: { x: 0.2, y: 0.2, z: 0.2 } },
      ],
    ] as const)(
      'reads a python-written %s %s image with its shape, axes and scale',
      async (axes, shape, dtype, scale, unit, want) => {
        const path = join(tempDir(), 'py.zarr');
        runPython(WRITE_NGFF, [path, axes, JSON.stringify(shape), dtype, JSON.stringify(scale), unit, '0.4']);
        const reader = await openVolume(path);
        const { info } = reader;
        const dim = (a: string) => (axes.includes(a) ? shape[axes.indexOf(a)]! : 1);
        expect(info.shape).toEqual([dim('z'), dim('y'), dim('x')]);
        expect([info.channels, info.frames]).toEqual([want.channels, want.frames]);
        expect(info.dtype).toBe(dtype);
        // A 2D image has no z step to read (the reader fills one in); x and y are the file's.
        for (const k of axes.includes('z') ? (['x', 'y', 'z'] as const) : (['x', 'y'] as const))
          expect(info.voxelSize[k]).toBeCloseTo(want.voxel[k], 9);
        expect(info.voxelSize.unit).toBe('µm');
        if (axes.includes('c'))
          expect(JSON.parse(info.extra['ome.channels']!)).toEqual(['ch0', 'ch1'].slice(0, want.channels));
        // Values are arange % 251 in C order over (t, c, z, y, x): check the last volume, which needs every offset right.
        const n = dim('z') * dim('y') * dim('x');
        const last = (want.frames * want.channels - 1) * n;
        const got = await reader.readAll({ channel: want.channels - 1, frame: want.frames - 1 });
        expect(Array.from(got.data)).toEqual(expected(last + n).slice(last));
        await reader.close();
      },
    );

    it('uint8 from python-zarr → TIFF → OME-Zarr is bit-exact (as uint16) with the scale kept', async () => {
      const dir = tempDir();
      runPython(WRITE_NGFF, [join(dir, 'py.zarr'), 'zyx', '[3,5,300]', 'uint8', '[0.4,0.1,0.1]', 'micrometer', '0.4']);
      for (const [from, to] of [
        ['py.zarr', 'a.tif'],
        ['a.tif', 'b.zarr'],
      ]) {
        const reader = await openVolume(join(dir, from!));
        const w = await createHyperstackWriter(join(dir, to!), reader.info, selectVolumes(reader.info), {
          dtype: 'uint16',
        });
        await w.writeSlicesAt(0, 0, 0, (await reader.readAll()).data);
        await w.close();
      }
      const back = await readVolume(join(dir, 'b.zarr'));
      expect(Array.from(back.data)).toEqual(expected(4500));
      expect(back.voxelSize).toEqual({ x: 0.1, y: 0.1, z: 0.4, unit: 'µm' });
    });

    it.each(['uint16', 'float32'] as const)(
      'zarr-python reads our %s output: shape, dtype, values, scale per level',
      async (dtype) => {
        const path = join(tempDir(), 'ours.zarr');
        const data = Float32Array.from({ length: 3 * 20 * 270 }, (_, i) =>
          dtype === 'uint16' ? (i * 7) % 65536 : Math.sin(i) * 1e3,
        );
        await writeVolume(path, makeVolume(data, [3, 20, 270], { x: 0.1, y: 0.11, z: 0.5, unit: 'µm' }), { dtype });
        const r = runPython(READ_OURS, [path]) as {
          shape: number[];
          dtype: string;
          values: number[];
          scales: number[][];
          axes: string[];
          levels: number[][];
          compressor: string;
        };
        expect(r.shape).toEqual([1, 1, 3, 20, 270]);
        expect(r.dtype).toBe(dtype);
        expect(r.values).toEqual(Array.from(data));
        expect(r.axes).toEqual(['t', 'c', 'z', 'y', 'x']);
        expect(r.compressor).toBe('gzip');
        expect(r.scales.length).toBeGreaterThanOrEqual(3);
        r.scales.forEach((s, l) => expect(s).toEqual([1, 1, 0.5, 0.11 * 2 ** l, 0.1 * 2 ** l]));
        expect(r.levels[1]).toEqual([1, 1, 3, 10, 135]);
      },
    );
  },
);
