// Round trips in both directions: our files as tifffile reads them (committed report), and tifffile's files
// re-written by us and read back; plus the streaming writer's atomic, no-overwrite behaviour.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { fixture, tempDir } from '../../helpers';
import {
  readVolume,
  writeVolume,
  createVolumeWriter,
  openVolume,
  toUint16,
  makeVolume,
  readTiffInfo,
} from '../../../src-main/core/io/index';
import { FileExistsError, InvalidVolumeError } from '../../../src-main/core/errors';
import { oursCases } from './ours-volumes';

const sha = (d: Float32Array) =>
  createHash('sha256')
    .update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength))
    .digest('hex');
interface TifffileView {
  imagej: boolean;
  bigtiff: boolean;
  shape: number[];
  dtype: string;
  sha256_float32: string;
  resolutionUnit: number;
  voxelSize: { x: number; y: number; z: number; unit: string } | null;
  description: Record<string, string | number | boolean>;
}
const report = JSON.parse(readFileSync(fixture('tiff', 'ours', 'tifffile.json'), 'utf8')) as {
  files: Record<string, TifffileView>;
};

describe('ours → tifffile (committed tifffile report of files we wrote)', () => {
  it.each(oursCases().map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const dir = tempDir();
    const out = join(dir, name);
    await writeVolume(out, c.volume, c.options);
    // Our writer is deterministic: the file is byte-identical to the one tifffile was given.
    expect(Buffer.compare(readFileSync(out), readFileSync(fixture('tiff', 'ours', name)))).toBe(0);
    const t = report.files[name];
    if (!t) throw new Error(`tifffile.json has no entry for ${name}: regenerate the report`);
    const stored = c.options.dtype === 'uint16' ? Float32Array.from(toUint16(c.volume.data)) : c.volume.data;
    expect(t.sha256_float32).toBe(sha(stored));
    expect(t.imagej).toBe(true);
    expect(t.bigtiff).toBe(c.options.bigTiffThreshold === 0);
    expect(t.shape).toEqual(c.volume.shape);
    expect(t.dtype).toBe(c.options.dtype ?? 'float32');
    expect(t.resolutionUnit).toBe(1);
    if (c.volume.voxelSize.unit === 'µm') {
      expect(t.voxelSize).toEqual({ ...c.volume.voxelSize });
    } else {
      expect(t.voxelSize).toBeNull();
    }
    for (const [k, v] of Object.entries(c.volume.metadata.extra)) expect(String(t.description[k])).toBe(v);
    if (c.volume.metadata.intensityScale) expect(t.description.intensityScale).toBe(c.volume.metadata.intensityScale);
  });

  it('uint16 conversion rounds, clips to [0, 65535] and maps NaN to 0', () => {
    expect(
      Array.from(toUint16(new Float32Array([-3, 0.49, 0.5, 1.5, 65534.6, 70000, NaN, Infinity, -Infinity]))),
    ).toEqual([0, 0, 1, 2, 65535, 65535, 0, 65535, 0]);
  });
});

describe('ours → ours', () => {
  it.each(oursCases().map((c) => [c.name, c] as const))(
    '%s reads back exactly with voxel size and metadata',
    async (name, c) => {
      const vol = await readVolume(fixture('tiff', 'ours', name));
      const stored = c.options.dtype === 'uint16' ? Float32Array.from(toUint16(c.volume.data)) : c.volume.data;
      expect(sha(vol.data)).toBe(sha(stored));
      expect(vol.voxelSize).toEqual(
        c.volume.voxelSize.unit === 'µm' ? c.volume.voxelSize : { x: 1, y: 1, z: 1, unit: 'px' },
      );
      expect(vol.metadata.extra).toEqual(c.volume.metadata.extra);
      expect(vol.metadata.intensityScale).toBe(c.volume.metadata.intensityScale);
      expect(vol.metadata.sourceFormat).toBe(c.options.bigTiffThreshold === 0 ? 'imagej-bigtiff' : 'imagej');
    },
  );
});

describe('tifffile → ours → ours', () => {
  const names = ['imagej_f32.tif', 'imagej_nm.tif', 'ome_u16.tif', 'lzw_f32.tif', 'bigendian_f32.tif', 'tiled_u16.tif'];
  it.each(names)('%s survives a rewrite bit-exactly with its voxel size', async (name) => {
    const src = await readVolume(fixture('tiff', name));
    const out = join(tempDir(), 'rewritten.tif');
    const dtype = src.metadata.sourceDtype === 'uint16' ? 'uint16' : 'float32';
    await writeVolume(out, src, { dtype });
    const back = await readVolume(out);
    expect(sha(back.data)).toBe(sha(src.data));
    // x/y travel as a rational p/q (< 2³²): exact for any decimal calibration; a value that is itself an
    // arbitrary rational (tifffile's 0.01 px/nm → 0.09999999988 µm) may come back one ulp off.
    for (const a of ['x', 'y'] as const)
      expect(Math.abs(back.voxelSize[a] - src.voxelSize[a])).toBeLessThanOrEqual(src.voxelSize[a] * 2.3e-16);
    expect(back.voxelSize.z).toBe(src.voxelSize.z);
    expect(back.voxelSize.unit).toBe(src.voxelSize.unit);
    expect(back.metadata.sourceDtype).toBe(dtype);
  });
});

describe('streaming and atomic writes', () => {
  const vol = oursCases()[0]!.volume;
  const sliceLen = vol.shape[1] * vol.shape[2];

  it('slice-by-slice writing gives the same bytes as a whole write', async () => {
    const dir = tempDir();
    const w = await createVolumeWriter(join(dir, 'a.tif'), {
      shape: vol.shape,
      voxelSize: vol.voxelSize,
      metadata: vol.metadata,
    });
    expect(existsSync(join(dir, 'a.tif'))).toBe(false);
    await w.writeSlices(vol.data.subarray(0, 2 * sliceLen), 2);
    await w.writeSlices(vol.data.subarray(2 * sliceLen), 4);
    await w.close();
    expect(
      Buffer.compare(readFileSync(join(dir, 'a.tif')), readFileSync(fixture('tiff', 'ours', 'ours_f32.tif'))),
    ).toBe(0);
    expect(readdirSync(dir)).toEqual(['a.tif']);
  });

  it('abort and incomplete writes leave no file behind', async () => {
    const dir = tempDir();
    const w = await createVolumeWriter(join(dir, 'b.tif'), { shape: vol.shape, voxelSize: vol.voxelSize });
    await w.writeSlices(vol.data.subarray(0, sliceLen), 1);
    await w.abort();
    expect(readdirSync(dir)).toEqual([]);
    const w2 = await createVolumeWriter(join(dir, 'c.tif'), { shape: vol.shape, voxelSize: vol.voxelSize });
    await w2.writeSlices(vol.data.subarray(0, sliceLen), 1);
    await expect(w2.close()).rejects.toThrow(/only 1 of 6 slices/);
    expect(readdirSync(dir)).toEqual([]);
    const w3 = await createVolumeWriter(join(dir, 'd.tif'), { shape: vol.shape, voxelSize: vol.voxelSize });
    await expect(w3.writeSlices(new Float32Array(5), 1)).rejects.toBeInstanceOf(InvalidVolumeError);
    await w3.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never overwrites an existing file without force', async () => {
    const dir = tempDir();
    const target = join(dir, 'precious.tif');
    writeFileSync(target, 'user data');
    await expect(writeVolume(target, vol)).rejects.toBeInstanceOf(FileExistsError);
    await expect(createVolumeWriter(target, { shape: vol.shape, voxelSize: vol.voxelSize })).rejects.toThrow(
      /already exists/,
    );
    expect(readFileSync(target, 'utf8')).toBe('user data');
    await writeVolume(target, vol, { force: true });
    expect((await readTiffInfo(target)).shape).toEqual(vol.shape);
    expect(readdirSync(dir)).toEqual(['precious.tif']);
  });

  it('rejects zero-sized volumes', async () => {
    const dir = tempDir();
    const empty = { ...makeVolume(new Float32Array(0), [0, 4, 4]) };
    await expect(writeVolume(join(dir, 'e.tif'), empty)).rejects.toBeInstanceOf(InvalidVolumeError);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('lazy reading', () => {
  it('readSlices returns exactly the requested slices of the requested channel and frame', async () => {
    const file = fixture('tiff', 'imagej_u16_hyperstack.tif');
    const whole = await readVolume(file, { channel: 1, frame: 1 });
    const reader = await openVolume(file);
    try {
      const part = await reader.readSlices(1, 3, { channel: 1, frame: 1 });
      const n = whole.shape[1] * whole.shape[2];
      expect(Array.from(part)).toEqual(Array.from(whole.data.subarray(n, 3 * n)));
      await expect(reader.readSlices(0, 1, { channel: 2 })).rejects.toThrow(/channel: 2 is out of range/);
      await expect(reader.readSlices(2, 9)).rejects.toThrow(/range 2–9/);
    } finally {
      await reader.close();
    }
  });
});
