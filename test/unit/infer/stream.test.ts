import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { makeVolume, type Shape3 } from '../../../src-main/core/io/volume';
import { readVolume, writeVolume } from '../../../src-main/core/io/index';
import { deconvolveFile, toUint16Range } from '../../../src-main/core/infer/deconvolve';
import { fitNormaliser } from '../../../src-main/core/normalise/normaliser';
import { predictTiled } from '../../../src-main/core/infer/tiled';
import type { Predictor } from '../../../src-main/core/infer/predictor';
import { tempDir } from '../../helpers';

/** A 3×3×3 box-mean followed by a square: translation-equivariant, receptive radius 1. */
function boxSquare(tile: Float32Array, [nz, ny, nx]: Shape3): Float32Array {
  const out = new Float32Array(tile.length);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        let s = 0;
        for (let a = -1; a <= 1; a++)
          for (let b = -1; b <= 1; b++)
            for (let c = -1; c <= 1; c++) {
              const zz = z + a,
                yy = y + b,
                xx = x + c;
              if (zz >= 0 && yy >= 0 && xx >= 0 && zz < nz && yy < ny && xx < nx) s += tile[(zz * ny + yy) * nx + xx]!;
            }
        out[(z * ny + y) * nx + x] = (s / 27) ** 2;
      }
  return out;
}

const predictor: Predictor = {
  method: 'test',
  predict: boxSquare,
  multiple: 1,
  bytesPerVoxel: 16,
  overlap: 3,
  backend: 'js',
  normalisation: { pLow: 0, pHigh: 100, clip: false },
  details: {},
  dispose: () => undefined,
};

describe('streaming deconvolution of files', () => {
  const dir = tempDir();
  const shape: Shape3 = [9, 20, 17];
  const data = Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, (_, i) => 100 + ((i * 7919) % 1000));
  const input = join(dir, 'in.tif');
  const vol = makeVolume(data, shape, { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' });

  it('writes the same values as the in-memory path, in input units, with voxel size and scale metadata', async () => {
    await writeVolume(input, vol);
    const out = join(dir, 'out.tif');
    const r = await deconvolveFile(input, out, predictor, { tile: [4, 8, 8], overlap: 3 });
    expect(r.tiles).toBeGreaterThan(8);
    const got = await readVolume(out);
    const norm = fitNormaliser(data, 0, 100);
    const expected = norm.invert(
      await predictTiled(norm.apply(data), shape, boxSquare, { tile: [4, 8, 8], overlap: 3 }),
    );
    let maxDiff = 0;
    for (let i = 0; i < data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got.data[i]! - expected[i]!));
    expect(maxDiff).toBeLessThan(1e-3); // input units ~1000: float32 rounding only
    expect(got.shape).toEqual(shape);
    expect(got.voxelSize.z).toBeCloseTo(0.3, 6);
    expect(got.voxelSize.x).toBeCloseTo(0.1, 6);
    expect(JSON.stringify(got.metadata)).toContain('input intensity units');
  });

  it('refuses to overwrite without force, and leaves no partial file after a failure', async () => {
    const out = join(dir, 'exists.tif');
    await deconvolveFile(input, out, predictor, { tile: 'auto' });
    await expect(deconvolveFile(input, out, predictor, { tile: 'auto' })).rejects.toThrow(/exists/);
    const failing: Predictor = {
      ...predictor,
      predict: () => {
        throw new Error('boom');
      },
    };
    const out2 = join(dir, 'failed.tif');
    await expect(deconvolveFile(input, out2, failing, { tile: [4, 8, 8], overlap: 2 })).rejects.toThrow(/boom/);
    expect(existsSync(out2)).toBe(false);
  });

  it('uint16 output rounds input units and counts clamped voxels', () => {
    const r = toUint16Range(Float32Array.from([-3, 1.4, 1.6, 70000, 65535]));
    expect([...r.data]).toEqual([0, 1, 2, 65535, 65535]);
    expect(r.clipped).toBe(2);
  });
});
