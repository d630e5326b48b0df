// OME-Zarr out and back in: TIFF → OME-Zarr → TIFF is bit-exact with the voxel size kept (uint16, float32;
// uint8 in python-zarr.test.ts), hyperstacks keep their channel/frame places, the pyramid has ≥ 3 levels
// with the scale doubling in y, x, and the write is atomic and never replaces data without force.
import { describe, it, expect } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32, tempDir } from '../../../helpers';
import {
  createVolumeWriter,
  makeVolume,
  openVolume,
  readVolume,
  writeVolume,
} from '../../../../src-main/core/io/index';
import { createHyperstackWriter, selectVolumes } from '../../../../src-main/core/io/hyperstack';
import {
  FileExistsError,
  InvalidVolumeError,
  NotRegularFileError,
  OutsideFolderError,
} from '../../../../src-main/core/errors';
import type { Shape3, Volume } from '../../../../src-main/core/io/volume';

const VOXEL = { x: 0.065, y: 0.065, z: 0.3, unit: 'µm' };

function stack(shape: Shape3, kind: 'uint16' | 'float32', seed = 1): Volume {
  const rnd = mulberry32(seed);
  const n = shape[0] * shape[1] * shape[2];
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++)
    data[i] = kind === 'uint16' ? Math.floor(rnd() * 65536) : (rnd() - 0.3) * 10 ** Math.floor(rnd() * 12 - 6);
  if (kind === 'uint16') {
    data[0] = 65535;
    data[1] = 0;
  }
  return makeVolume(data, shape, VOXEL);
}

/** Copies every volume of `from` into `to` slice by slice (what `convert` does). */
async function copy(from: string, to: string, dtype: 'uint16' | 'float32'): Promise<void> {
  const reader = await openVolume(from);
  const sel = selectVolumes(reader.info);
  const writer = await createHyperstackWriter(to, reader.info, sel, { dtype });
  for (const t of sel.frames)
    for (const c of sel.channels)
      for (let z = 0; z < reader.shape[0]; z++)
        await writer.writeSlicesAt(c, t, z, await reader.readSlices(z, z + 1, { channel: c, frame: t }));
  await writer.close();
  await reader.close();
}

describe('TIFF ↔ OME-Zarr round trip', () => {
  it.each(['uint16', 'float32'] as const)('%s: bit-exact, voxel size kept, both ways', async (dtype) => {
    const dir = tempDir();
    // 300 px wide: two chunks in x at level 0 (one of them partial), and 3 levels.
    const vol = stack([5, 70, 300], dtype);
    await writeVolume(join(dir, 'in.tif'), vol, { dtype });
    await copy(join(dir, 'in.tif'), join(dir, 'mid.zarr'), dtype);
    const mid = await readVolume(join(dir, 'mid.zarr'));
    expect(mid.metadata.sourceDtype).toBe(dtype);
    expect(mid.shape).toEqual([5, 70, 300]);
    expect(mid.voxelSize).toEqual(VOXEL);
    expect(Buffer.compare(Buffer.from(mid.data.buffer), Buffer.from(vol.data.buffer))).toBe(0);
    await copy(join(dir, 'mid.zarr'), join(dir, 'back.tif'), dtype);
    const back = await readVolume(join(dir, 'back.tif'));
    expect(back.voxelSize).toEqual(VOXEL);
    expect(Buffer.compare(Buffer.from(back.data.buffer), Buffer.from(vol.data.buffer))).toBe(0);
  });

  it('a hyperstack written in any order keeps each channel and frame in its place', async () => {
    const dir = tempDir();
    const out = join(dir, 'h.zarr');
    const vols = [0, 1, 2, 3].map((k) => stack([3, 9, 11], 'uint16', k + 10));
    const writer = await createVolumeWriter(out, {
      shape: [3, 9, 11],
      voxelSize: VOXEL,
      dtype: 'uint16',
      channels: 2,
      frames: 2,
    });
    for (const k of [3, 1, 2, 0])
      for (const z of [2, 0, 1])
        await writer.writeSlicesAt(k % 2, k >> 1, z, vols[k]!.data.subarray(z * 99, (z + 1) * 99));
    await writer.close();
    const reader = await openVolume(out);
    expect([reader.info.channels, reader.info.frames]).toEqual([2, 2]);
    for (const k of [0, 1, 2, 3])
      expect(Array.from((await reader.readAll({ channel: k % 2, frame: k >> 1 })).data)).toEqual(
        Array.from(vols[k]!.data),
      );
  });

  it('writes a pyramid of at least 3 levels, 2× in y and x, z kept, with the scale per level and viewing chunks', async () => {
    const dir = tempDir();
    const out = join(dir, 'p.zarr');
    // Zeros: the layout is under test here, not the pixels (gzip of noise would take seconds).
    await writeVolume(out, makeVolume(new Float32Array(66 * 520 * 260), [66, 520, 260], VOXEL), { dtype: 'uint16' });
    const attrs = JSON.parse(readFileSync(join(out, '.zattrs'), 'utf8')) as {
      multiscales: {
        axes: { name: string; unit?: string }[];
        datasets: { path: string; coordinateTransformations: { scale: number[] }[] }[];
      }[];
      omero: { channels: unknown[] };
    };
    const ms = attrs.multiscales[0]!;
    expect(ms.axes.map((a) => a.name).join('')).toBe('tczyx');
    expect(ms.axes.slice(2).every((a) => a.unit === 'micrometer')).toBe(true);
    expect(ms.datasets.length).toBeGreaterThanOrEqual(3);
    expect(attrs.omero.channels).toHaveLength(1);
    ms.datasets.forEach((d, l) => {
      expect(d.coordinateTransformations[0]!.scale).toEqual([1, 1, 0.3, 0.065 * 2 ** l, 0.065 * 2 ** l]);
      const za = JSON.parse(readFileSync(join(out, d.path, '.zarray'), 'utf8')) as {
        shape: number[];
        chunks: number[];
        compressor: { id: string };
      };
      expect(za.shape).toEqual([1, 1, 66, Math.ceil(520 / 2 ** l), Math.ceil(260 / 2 ** l)]);
      expect(za.chunks).toEqual([1, 1, 64, Math.min(256, za.shape[3]!), Math.min(256, za.shape[4]!)]);
      expect(za.compressor.id).toBe('gzip');
    });
  });

  it('never replaces an existing output without force, nor a folder that is not an OME-Zarr even with it', async () => {
    const dir = tempDir();
    const vol = stack([2, 8, 8], 'float32');
    await writeVolume(join(dir, 'o.zarr'), vol);
    await expect(writeVolume(join(dir, 'o.zarr'), vol)).rejects.toBeInstanceOf(FileExistsError);
    await writeVolume(join(dir, 'o.zarr'), stack([2, 8, 8], 'float32', 7), { force: true });
    expect(Array.from((await readVolume(join(dir, 'o.zarr'))).data)).toEqual(
      Array.from(stack([2, 8, 8], 'float32', 7).data),
    );
    mkdirSync(join(dir, 'photos.zarr'));
    writeFileSync(join(dir, 'photos.zarr', 'holiday.jpg'), 'x');
    await expect(writeVolume(join(dir, 'photos.zarr'), vol, { force: true })).rejects.toBeInstanceOf(
      NotRegularFileError,
    );
    expect(readdirSync(join(dir, 'photos.zarr'))).toEqual(['holiday.jpg']);
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it("stays inside the folder it is confined to (a project's results)", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'results'));
    await expect(
      createVolumeWriter(join(dir, 'results', '..', 'escape.zarr'), {
        shape: [1, 2, 2],
        voxelSize: VOXEL,
        within: join(dir, 'results'),
      }),
    ).rejects.toBeInstanceOf(OutsideFolderError);
    expect(readdirSync(dir)).toEqual(['results']);
  });

  it('an incomplete write saves nothing and leaves no temp folder', async () => {
    const dir = tempDir();
    const writer = await createVolumeWriter(join(dir, 'x.zarr'), { shape: [3, 8, 8], voxelSize: VOXEL });
    await writer.writeSlices(new Float32Array(64), 1);
    await expect(writer.close()).rejects.toBeInstanceOf(InvalidVolumeError);
    expect(existsSync(join(dir, 'x.zarr'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
