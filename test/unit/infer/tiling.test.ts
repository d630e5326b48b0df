import { describe, expect, it } from 'vitest';
import type { Shape3 } from '../../../src-main/core/io/volume';
import { OutOfMemoryError } from '../../../src-main/core/errors';
import { axisStarts, axisWindow, chooseTile, parseTile, tileGrid } from '../../../src-main/core/infer/tiling';
import { isOutOfMemory, predictTiled } from '../../../src-main/core/infer/tiled';
import { mulberry32 } from '../../helpers';

/** A translation-equivariant predictor with a finite receptive field: direct 3D convolution, zero padding, then a pointwise non-linearity. */
function convPredictor(radius: number, seed = 1) {
  const r = mulberry32(seed);
  const k = 2 * radius + 1;
  const kernel = Float32Array.from({ length: k ** 3 }, () => r() - 0.3);
  return (tile: Float32Array, [nz, ny, nx]: Shape3): Float32Array => {
    const out = new Float32Array(tile.length);
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) {
          let s = 0;
          for (let dz = -radius; dz <= radius; dz++) {
            const zz = z + dz;
            if (zz < 0 || zz >= nz) continue;
            for (let dy = -radius; dy <= radius; dy++) {
              const yy = y + dy;
              if (yy < 0 || yy >= ny) continue;
              for (let dx = -radius; dx <= radius; dx++) {
                const xx = x + dx;
                if (xx < 0 || xx >= nx) continue;
                s += kernel[((dz + radius) * k + dy + radius) * k + dx + radius]! * tile[(zz * ny + yy) * nx + xx]!;
              }
            }
          }
          out[(z * ny + y) * nx + x] = Math.tanh(s);
        }
    return out;
  };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('tile geometry', () => {
  it('spreads tiles evenly, first at 0 and last flush with the end', () => {
    expect(axisStarts(100, 64, 16)).toEqual([0, 36]);
    expect(axisStarts(50, 64, 16)).toEqual([0]);
    const s = axisStarts(200, 32, 8);
    expect(s[0]).toBe(0);
    expect(s.at(-1)).toBe(200 - 32);
    for (let i = 1; i < s.length; i++) expect(s[i - 1]! + 32 - s[i]!).toBeGreaterThanOrEqual(8);
  });

  it('covers every voxel with positive blending weight', () => {
    const shape: Shape3 = [11, 45, 30];
    const weight = new Float32Array(shape[0] * shape[1] * shape[2]);
    for (const b of tileGrid(shape, [6, 16, 12], 5)) {
      const wz = axisWindow(b.size[0], b.overlapBefore[0], b.overlapAfter[0]);
      const wy = axisWindow(b.size[1], b.overlapBefore[1], b.overlapAfter[1]);
      const wx = axisWindow(b.size[2], b.overlapBefore[2], b.overlapAfter[2]);
      for (let z = 0; z < b.size[0]; z++)
        for (let y = 0; y < b.size[1]; y++)
          for (let x = 0; x < b.size[2]; x++) {
            weight[((b.start[0] + z) * shape[1] + b.start[1] + y) * shape[2] + b.start[2] + x]! +=
              wz[z]! * wy[y]! * wx[x]!;
          }
    }
    expect(Math.min(...weight)).toBeGreaterThan(0);
  });

  it('windows are 1 at volume borders and rise smoothly inside overlaps', () => {
    const w = axisWindow(20, 0, 9);
    expect(w[0]).toBe(1);
    expect(w[19]).toBe(0); // zero band of floor(9/3) = 3 voxels at the shared edge
    for (let i = 1; i < 20; i++) expect(w[i]!).toBeLessThanOrEqual(w[i - 1]! + 1e-7);
  });

  it('chooses the whole volume when it fits, and smaller tiles within the budget', () => {
    expect(chooseTile([16, 64, 64], { budgetBytes: 1e9, bytesPerVoxel: 100 })).toEqual([16, 64, 64]);
    const t = chooseTile([100, 2048, 2048], {
      budgetBytes: 512 * 2 ** 20,
      bytesPerVoxel: 400,
      multiple: 8,
      overlap: 8,
    });
    expect(t[0] * t[1] * t[2] * 400).toBeLessThanOrEqual(512 * 2 ** 20);
    for (const d of t) expect(d % 8 === 0 || d === 100).toBe(true);
  });

  it('parses --tile', () => {
    expect(parseTile('auto')).toBe('auto');
    expect(parseTile('8,32,48')).toEqual([8, 32, 48]);
    expect(parseTile('32')).toEqual([32, 32, 32]);
    expect(() => parseTile('8,x,3')).toThrow(/three whole numbers/);
  });
});

describe('tiled prediction', () => {
  const shape: Shape3 = [13, 37, 29];
  const r = mulberry32(7);
  const input = Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, () => r());
  const predict = convPredictor(2);
  const whole = predict(input, shape);

  it('equals the untiled prediction when the receptive radius ≤ overlap/3', async () => {
    const tiled = await predictTiled(input, shape, predict, { tile: [12, 16, 12], overlap: 6 });
    expect(maxAbsDiff(tiled, whole)).toBeLessThan(1e-4);
  });

  it('differs visibly when the overlap is too small (the test can fail)', async () => {
    const tiled = await predictTiled(input, shape, predict, { tile: [12, 16, 12], overlap: 2 });
    expect(maxAbsDiff(tiled, whole)).toBeGreaterThan(1e-3);
  });

  it('retries with smaller tiles after an out-of-memory error and still matches', async () => {
    const shrinks: Shape3[] = [];
    const limited = (t: Float32Array, s: Shape3) => {
      if (s[0] * s[1] * s[2] > 3000) throw new OutOfMemoryError('tile too large for this test backend');
      return predict(t, s);
    };
    const tiled = await predictTiled(input, shape, limited, {
      tile: [13, 37, 29],
      overlap: 6,
      onShrink: (t) => shrinks.push(t),
    });
    expect(shrinks.length).toBeGreaterThan(0);
    expect(maxAbsDiff(tiled, whole)).toBeLessThan(1e-4);
  });

  it('recognises allocation failures from tfjs and V8 as out-of-memory', () => {
    expect(isOutOfMemory(new Error('Failed to allocate buffer of 2 GB'))).toBe(true);
    expect(isOutOfMemory(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isOutOfMemory(new Error('shape mismatch'))).toBe(false);
    expect(isOutOfMemory(new Error('boom'))).toBe(false);
  });
});
