// NGFF 0.5 (Zarr v3) output: what the slab writer (convert, rl, deconvolve) and the box writer (--stream)
// write is read back by our reader bit-exact with its scale, and by an independent reader
// (test/fixtures/read_ngff05.py: json + gzip + numpy, no zarr; it also checks the `ome` attributes against
// the fields NGFF 0.5 requires); a box-written output that is stopped and continued equals the slab one.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../../helpers';
import { runCli } from '../../../../src-main/cli/main';
import { makeVolume, readTiffInfo, readVolume, writeVolume } from '../../../../src-main/core/io/index';
import { createZarrWriter } from '../../../../src-main/core/io/zarr/write';
import { PartialZarr } from '../../../../src-main/core/io/zarr/partial';
import type { Shape3 } from '../../../../src-main/core/io/volume';

const SCRIPT = join(__dirname, '../../../fixtures/read_ngff05.py');
const PYTHON = ['/usr/bin/python3', 'python3'].find(
  (p) => spawnSync(p, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0,
);

interface V3 {
  errors: string[];
  axes: { name: string; type: string; unit?: string }[];
  levels: { path: string; shape: number[]; dtype: string; scale: number[]; chunks: number[]; sum: number }[];
  values: number[];
  omero: { channels: { label: string }[] };
}
function readV3(path: string): V3 {
  const r = spawnSync(PYTHON!, [SCRIPT, path], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`read_ngff05.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as V3;
}

const VOX = { x: 0.1, y: 0.11, z: 0.5, unit: 'µm' };
const SHAPE: Shape3 = [5, 40, 300];
const N = SHAPE[0] * SHAPE[1] * SHAPE[2];
const u16 = (c: number) => Float32Array.from({ length: N }, (_, i) => (i * (7 + c)) % 65536);

async function slabWrite(path: string, channels: number): Promise<void> {
  const w = await createZarrWriter(path, { shape: SHAPE, voxelSize: VOX, dtype: 'uint16', channels, ngff: '0.5' });
  for (let c = 0; c < channels; c++) await w.writeSlicesAt(c, 0, 0, u16(c));
  await w.close();
}

function box(data: Float32Array, start: Shape3, size: Shape3): Float32Array {
  const out = new Float32Array(size[0] * size[1] * size[2]);
  for (let z = 0; z < size[0]; z++)
    for (let y = 0; y < size[1]; y++) {
      const from = ((start[0] + z) * SHAPE[1] + start[1] + y) * SHAPE[2] + start[2];
      out.set(data.subarray(from, from + size[2]), (z * size[1] + y) * size[2]);
    }
  return out;
}

describe('NGFF 0.5 (Zarr v3) output', { timeout: 120_000 }, () => {
  it('the slab writer: zarr.json documents, v3 chunk keys, read back bit-exact with the scale', async () => {
    const path = join(tempDir(), 'out.zarr');
    await slabWrite(path, 2);
    expect((await readdir(path)).sort()).toEqual(['0', '1', '2', 'zarr.json']);
    const group = JSON.parse(await readFile(join(path, 'zarr.json'), 'utf8')) as {
      zarr_format: number;
      node_type: string;
      attributes: { ome: { version: string } };
    };
    expect([group.zarr_format, group.node_type, group.attributes.ome.version]).toEqual([3, 'group', '0.5']);
    const arr = JSON.parse(await readFile(join(path, '0', 'zarr.json'), 'utf8')) as unknown;
    expect(arr).toMatchObject({
      zarr_format: 3,
      node_type: 'array',
      data_type: 'uint16',
      shape: [1, 2, 5, 40, 300],
      chunk_grid: { name: 'regular', configuration: { chunk_shape: [1, 1, 5, 40, 256] } },
      chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
      codecs: [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'gzip' }],
      fill_value: 0,
      dimension_names: ['t', 'c', 'z', 'y', 'x'],
    });
    // The last chunk of channel 1 (x chunk 1 of 2), where Zarr v3's default encoding puts it.
    expect((await stat(join(path, '0', 'c', '0', '1', '0', '0', '1'))).isFile()).toBe(true);
    for (const c of [0, 1]) {
      const v = await readVolume(path, { channel: c });
      expect(Array.from(v.data)).toEqual(Array.from(u16(c)));
      expect(v.voxelSize).toEqual(VOX);
    }
    expect((await readTiffInfo(path)).sourceFormat).toBe('ome-zarr-0.5');
  });

  it.skipIf(!PYTHON)('an independent v3 reader reads our values and scales, and the ome fields are valid', async () => {
    const path = join(tempDir(), 'out.zarr');
    await slabWrite(path, 2);
    const r = readV3(path);
    expect(r.errors).toEqual([]);
    expect(r.axes.map((a) => a.name)).toEqual(['t', 'c', 'z', 'y', 'x']);
    expect(r.axes[4]).toEqual({ name: 'x', type: 'space', unit: 'micrometer' });
    expect(r.values).toEqual([...Array.from(u16(0)), ...Array.from(u16(1))]);
    expect(r.levels.length).toBe(3);
    r.levels.forEach((l, i) => {
      expect(l.scale).toEqual([1, 1, 0.5, 0.11 * 2 ** i, 0.1 * 2 ** i]);
      expect(l.dtype).toBe('uint16');
    });
    expect(r.levels[1]!.shape).toEqual([1, 2, 5, 20, 150]);
    expect(r.omero.channels.length).toBe(2);
  });

  it('the box writer, stopped after some boxes and continued, equals the slab writer at every level', async () => {
    const dir = tempDir();
    await slabWrite(join(dir, 'slab.zarr'), 1);
    const out = join(dir, 'boxed.zarr');
    const layout = { shape: SHAPE, channels: 1, frames: 1, chunk: [2, 16, 128] as Shape3, dtype: 'uint16' as const };
    const o = { fingerprint: 'f', optionsKey: 'k', options: {} };
    const first = await PartialZarr.begin(out, { ...layout, ngff: '0.5' }, o);
    const data = u16(0);
    const half = Math.floor(first.boxes.length / 2);
    for (const b of first.boxes.slice(0, half)) await first.writeBox(b, box(data, b.start, b.size));
    // A kill here leaves the partial folder; the next run continues it.
    const again = await PartialZarr.begin(out, { ...layout, ngff: '0.5' }, o);
    expect(again.resumed).toBe(half);
    for (const b of again.boxes.filter((b) => !again.isDone(b.index)))
      await again.writeBox(b, box(data, b.start, b.size));
    await again.finish({ name: 'boxed.zarr', voxelSize: VOX });
    expect((await stat(join(out, '0', 'c', '0', '0', '2', '2', '2'))).isFile()).toBe(true);
    const v = await readVolume(out);
    expect(Array.from(v.data)).toEqual(Array.from(data));
    expect(v.voxelSize).toEqual(VOX);
    if (PYTHON) {
      const a = readV3(join(dir, 'slab.zarr')),
        b = readV3(out);
      expect(b.errors).toEqual([]);
      expect(b.values).toEqual(a.values);
      expect(b.levels.map((l) => [l.shape, l.sum, l.scale])).toEqual(a.levels.map((l) => [l.shape, l.sum, l.scale]));
    }
  });

  it('convert --ngff 0.5 writes v3; --ngff with a TIFF output is refused before any work', async () => {
    const dir = tempDir();
    const tif = join(dir, 'in.tif');
    await writeVolume(tif, makeVolume(u16(0), SHAPE, VOX), { dtype: 'uint16' });
    const quiet = { out: () => undefined, err: () => undefined, interactive: false };
    expect(await runCli(['convert', tif, join(dir, 'v3.zarr'), '--dtype', 'uint16', '--ngff', '0.5'], quiet)).toBe(0);
    expect((await readTiffInfo(join(dir, 'v3.zarr'))).sourceFormat).toBe('ome-zarr-0.5');
    expect(Array.from((await readVolume(join(dir, 'v3.zarr'))).data)).toEqual(Array.from(u16(0)));
    const err: string[] = [];
    const code = await runCli(['convert', tif, join(dir, 'b.tif'), '--ngff', '0.5'], {
      ...quiet,
      err: (l: string) => err.push(l),
    });
    expect(code).not.toBe(0);
    expect(err.join('\n')).toMatch(/--ngff.*OME-Zarr output only/);
    await expect(stat(join(dir, 'b.tif'))).rejects.toThrow();
    expect(await runCli(['convert', tif, join(dir, 'c.zarr'), '--ngff', '0.6'], quiet)).not.toBe(0);
  });

  it('rl --stream --ngff 0.5 writes the same voxels as --ngff 0.4, with v3 metadata', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.zarr');
    await slabWrite(input, 1);
    const psf = join(dir, 'psf.tif');
    const g = Float32Array.from({ length: 3 * 5 * 5 }, (_, i) => {
      const z = Math.floor(i / 25) - 1,
        y = (Math.floor(i / 5) % 5) - 2,
        x = (i % 5) - 2;
      return Math.exp(-(z * z + y * y + x * x) / 2);
    });
    await writeVolume(psf, makeVolume(g, [3, 5, 5], VOX));
    const quiet = { out: () => undefined, err: () => undefined, interactive: false };
    for (const v of ['0.4', '0.5'])
      expect(
        await runCli(
          [
            'rl',
            input,
            join(dir, `rl${v}.zarr`),
            '--psf',
            psf,
            '--iters',
            '2',
            '--stream',
            '--chunk',
            '5,40,128',
            '--ngff',
            v,
          ],
          quiet,
        ),
      ).toBe(0);
    expect((await readdir(join(dir, 'rl0.5.zarr'))).sort()).toEqual(['0', '1', '2', 'zarr.json']);
    const a = await readVolume(join(dir, 'rl0.4.zarr')),
      b = await readVolume(join(dir, 'rl0.5.zarr'));
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(b.voxelSize).toEqual(VOX);
    if (PYTHON) {
      const r = readV3(join(dir, 'rl0.5.zarr'));
      expect(r.errors).toEqual([]);
      expect(r.values).toEqual(Array.from(a.data));
    }
  });
});
