// Every fixture written by an independent writer (tifffile / Pillow, test/fixtures/make_fixtures.py) is read
// with exactly the data (SHA-256 of the float32 values) and voxel size that tifffile itself reports.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fixture } from '../../helpers';
import { readVolume, readTiffInfo } from '../../../src-main/core/io/index';
import * as errors from '../../../src-main/core/errors';

interface Read {
  channel: number;
  frame: number;
  sha256: string;
  sum: number;
}
interface Good {
  shape: number[];
  dtype: string;
  channels: number;
  frames: number;
  sourceFormat: string;
  voxelSizeAssumed: boolean;
  voxelSize: { x: number; y: number; z: number; unit: string };
  reads: Read[];
  intensityScale?: string;
  extra?: Record<string, string>;
}
interface Bad {
  error: keyof typeof errors;
  message: string;
}
const expected = JSON.parse(readFileSync(fixture('tiff', 'expected.json'), 'utf8')) as {
  files: Record<string, Good | Bad>;
};

export function sha256(data: Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest('hex');
}

const good = Object.entries(expected.files).filter((e): e is [string, Good] => !('error' in e[1]));
const bad = Object.entries(expected.files).filter((e): e is [string, Bad] => 'error' in e[1]);

describe('reading TIFFs written by tifffile and Pillow', () => {
  it('covers every format variant the issue lists', () => {
    const names = good.map(([n]) => n).join(' ');
    for (const k of [
      'imagej_f32',
      'hyperstack',
      'ome',
      'bigtiff',
      'lzw',
      'deflate',
      'packbits',
      'bigendian',
      'int16',
      'uint8',
      'uint32',
      'plane_2d',
      'tiled',
    ]) {
      expect(names).toContain(k);
    }
    expect(bad.length).toBeGreaterThanOrEqual(6);
  });

  it.each(good)('%s: shape, dtype, voxel size and metadata', async (name, e) => {
    const info = await readTiffInfo(fixture('tiff', name));
    expect(info.shape).toEqual(e.shape);
    expect(info.dtype).toBe(e.dtype);
    expect(info.channels).toBe(e.channels);
    expect(info.frames).toBe(e.frames);
    expect(info.sourceFormat).toBe(e.sourceFormat);
    expect(info.voxelSizeAssumed).toBe(e.voxelSizeAssumed);
    expect(info.voxelSize.unit).toBe(e.voxelSize.unit);
    for (const axis of ['x', 'y', 'z'] as const) {
      // Exactly the value tifffile derives from the stored rational / decimal text.
      expect(Math.abs(info.voxelSize[axis] - e.voxelSize[axis])).toBe(0);
    }
    if (e.intensityScale) expect(info.intensityScale).toBe(e.intensityScale);
    if (e.extra) expect(info.extra).toMatchObject(e.extra);
  });

  it.each(good)('%s: pixel data is exact for every channel/frame checked', async (name, e) => {
    for (const r of e.reads) {
      const vol = await readVolume(fixture('tiff', name), { channel: r.channel, frame: r.frame });
      expect(vol.shape).toEqual(e.shape);
      expect(sha256(vol.data)).toBe(r.sha256);
      expect(vol.metadata.sourceDtype).toBe(e.dtype);
      expect(Boolean(vol.metadata.voxelSizeAssumed)).toBe(e.voxelSizeAssumed);
    }
  });
});

describe('bad input ends in a typed error naming the file', () => {
  it.each(bad)('%s', async (name, e) => {
    const file = fixture('tiff', name);
    const err = await readVolume(file).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(errors[e.error] as unknown as new (...a: never[]) => Error);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(new RegExp(e.message, 'i'));
  });
});

describe('input checks beyond the file format', () => {
  it('a 2D image is refused where a 3D stack is needed', async () => {
    const file = fixture('tiff', 'plane_2d.tif');
    await expect(readVolume(file, { require3d: true })).rejects.toThrow(/plane_2d\.tif: is a 2D image/);
    await expect(readVolume(file, { require3d: true })).rejects.toBeInstanceOf(errors.UnsupportedFormatError);
  });
  it('a missing file is a FileNotFoundError and a folder a TiffFormatError', async () => {
    await expect(readVolume(fixture('tiff', 'nope.tif'))).rejects.toBeInstanceOf(errors.FileNotFoundError);
    await expect(readVolume(fixture('tiff'))).rejects.toBeInstanceOf(errors.TiffFormatError);
  });
  it('the allocation limit is enforced before decoding', async () => {
    await expect(readVolume(fixture('tiff', 'imagej_f32.tif'), { maxBytes: 100 })).rejects.toThrow(
      /above the 100-byte limit/,
    );
  });
  it('a channel that does not exist is an InvalidParameterError', async () => {
    await expect(readVolume(fixture('tiff', 'ome_u16.tif'), { channel: 5 })).rejects.toBeInstanceOf(
      errors.InvalidParameterError,
    );
  });
});
