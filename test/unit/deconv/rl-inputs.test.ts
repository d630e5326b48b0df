// Richardson–Lucy refuses or repairs hostile input before any work starts (src-main/core/deconv/rl-inputs.ts):
// non-finite voxels, negative data, a PSF with NaN or negative values, and a PSF voxel size in the wrong unit.
import { describe, expect, it } from 'vitest';
import { richardsonLucy, richardsonLucyArray } from '../../../src-main/core/deconv/rl';
import { convolveArray } from '../../../src-main/core/deconv/convolve';
import { resamplePsf } from '../../../src-main/core/deconv/grid';
import { makeVolume, type Shape3, type VoxelSize } from '../../../src-main/core/io/volume';
import { InvalidVolumeError, PsfVoxelSizeError } from '../../../src-main/core/errors';
import { rlPredictor } from '../../../src-main/core/infer/rl';
import { mulberry32 } from '../../helpers';

const shape: Shape3 = [16, 16, 16];
const N = 16 * 16 * 16;
const UM: VoxelSize = { z: 0.2, y: 0.1, x: 0.1, unit: 'µm' };

/** A centred Gaussian PSF of odd size `n`, sum 1. */
function gaussianPsf(n: number, sigma = 1.2): Float32Array {
  const c = (n - 1) / 2,
    out = new Float32Array(n * n * n);
  for (let z = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++) {
        out[(z * n + y) * n + x] = Math.exp(-((z - c) ** 2 + (y - c) ** 2 + (x - c) ** 2) / (2 * sigma * sigma));
      }
  const s = out.reduce((a, b) => a + b, 0);
  return out.map((v) => v / s);
}
const psf = gaussianPsf(5);

/** Two bright spots on a flat background, blurred by `psf`; the brighter one at (8, 5, 5). */
function blurredSpots(background = 10): Float32Array {
  const truth = new Float32Array(N).fill(background);
  truth[(8 * 16 + 5) * 16 + 5] = 1000;
  truth[(8 * 16 + 11) * 16 + 10] = 500;
  return convolveArray(truth, shape, psf, [5, 5, 5]);
}

const stats = (a: Float32Array) => {
  let min = Infinity,
    max = -Infinity,
    sum = 0,
    finite = 0,
    argmax = -1;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v)) continue;
    finite++;
    sum += v;
    min = Math.min(min, v);
    if (v > max) {
      max = v;
      argmax = i;
    }
  }
  return { min, max, mean: sum / finite, finite, argmax };
};

describe('Richardson–Lucy input checks', { timeout: 60_000 }, () => {
  it('refuses NaN/Inf image voxels with their count, by default', async () => {
    const img = blurredSpots();
    img[3] = NaN;
    img[100] = Infinity;
    img[2000] = -Infinity;
    const run = richardsonLucyArray(img, shape, psf, [5, 5, 5], { iterations: 3 });
    await expect(run).rejects.toBeInstanceOf(InvalidVolumeError);
    await expect(run).rejects.toThrow(/3 voxels that are NaN or infinite \(of 4096\)/);
  });

  it('replaces NaN/Inf voxels by zero or the mean when asked, with a warning, and the result is finite', async () => {
    const img = blurredSpots();
    img[3] = NaN;
    img[100] = Infinity;
    for (const nanPolicy of ['zero', 'mean'] as const) {
      const warnings: string[] = [];
      const out = await richardsonLucyArray(img, shape, psf, [5, 5, 5], {
        iterations: 3,
        nanPolicy,
        onWarning: (w) => warnings.push(w),
      });
      expect(stats(out).finite).toBe(N);
      expect(warnings.join('\n')).toMatch(/replaced 2 NaN\/infinite voxels/);
    }
  });

  it('deconvolves negative-mean data in the input units instead of returning all zeros, and records the shift', async () => {
    const data = blurredSpots().map((v) => v - 200);
    const before = stats(data);
    expect(before.mean).toBeLessThan(0);
    const warnings: string[] = [];
    const out = await richardsonLucy(makeVolume(data, shape, UM), makeVolume(psf, [5, 5, 5], UM), {
      iterations: 20,
      background: 0,
      onWarning: (w) => warnings.push(w),
    });
    const after = stats(out.data);
    expect(after.finite).toBe(N);
    expect(after.max - after.min).toBeGreaterThan(0.5 * (before.max - before.min)); // not flat
    expect(Math.abs(after.mean - before.mean)).toBeLessThan(0.02 * (before.max - before.min)); // flux kept
    expect(after.argmax).toBe((8 * 16 + 5) * 16 + 5); // the bright spot, sharpened
    expect(after.max).toBeGreaterThan(before.max);
    expect(after.min).toBeGreaterThanOrEqual(before.min - 1e-3);
    expect(warnings.join('\n')).toMatch(/negative values/);
    expect(out.metadata.extra.rlInputOffset).toMatch(/^190 \(added before Richardson-Lucy.*input's units/);
  });

  it('keeps signed integer noise in ±49 bounded and finite', async () => {
    const rnd = mulberry32(7);
    const data = Float32Array.from({ length: N }, () => Math.round(98 * rnd() - 49));
    const out = await richardsonLucyArray(data, shape, psf, [5, 5, 5], { iterations: 30, background: 0 });
    const s = stats(out),
      input = stats(data);
    expect(s.finite).toBe(N);
    // RL sharpens noise into spikes, but the estimate stays ≥ the input minimum, keeps the mean,
    // and stays within an order of magnitude of the input range (before: NaN, or values up to 8e5).
    expect(s.min).toBeGreaterThanOrEqual(-49 - 1e-3);
    expect(s.max).toBeLessThan(10 * 98);
    expect(Math.abs(s.mean - input.mean)).toBeLessThan(0.05 * 98);
  });

  it('refuses a PSF with NaN/Inf or negative voxels, with the counts', async () => {
    const img = blurredSpots();
    const bad = psf.slice();
    bad[0] = NaN;
    bad[1] = -0.01;
    bad[2] = -0.02;
    await expect(richardsonLucyArray(img, shape, bad, [5, 5, 5], { iterations: 2 })).rejects.toThrow(
      /the PSF has 1 NaN or infinite voxel and 2 negative voxels \(of 125\)/,
    );
    const negative = psf.slice();
    negative[0] = -1e-4;
    const run = richardsonLucyArray(img, shape, negative, [5, 5, 5], { iterations: 2 });
    await expect(run).rejects.toBeInstanceOf(InvalidVolumeError);
    await expect(run).rejects.toThrow(/1 negative voxel \(of 125\)/);
  });

  it("deconvolve --method rl: refuses a PSF file with negative voxels before any tile, clips a learned PSF's negative lobes", async () => {
    const lobed = makeVolume(
      psf.map((v, i) => (i % 2 ? v : v - 0.002)),
      [5, 5, 5],
    ); // 63 voxels pushed below 0
    const negatives = lobed.data.filter((v) => v < 0).length;
    expect(() => rlPredictor(lobed, 2, 'psf.tif')).toThrow(
      new RegExp(`the PSF has ${negatives} negative voxels \\(of 125\\)`),
    );
    const learned = rlPredictor(lobed, 2, 'run/psf.tif', {}, true);
    expect(learned.details.psfNegativeClipped).toBe(`${negatives} negative voxels of the learned PSF set to 0`);
    const out = await learned.predict(blurredSpots(), shape);
    expect(stats(out).finite).toBe(N);
  });

  it("refuses, fast, a PSF whose voxel size is 100× the image's, naming both voxel sizes", async () => {
    const img = makeVolume(blurredSpots(), shape, UM);
    const p = makeVolume(gaussianPsf(9), [9, 9, 9], { z: 20, y: 10, x: 10, unit: 'µm' });
    const t0 = performance.now();
    const err = await richardsonLucy(img, p, { iterations: 2 }).catch((e: unknown) => e);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(PsfVoxelSizeError);
    expect((err as Error).message).toMatch(/20×10×10 µm is 100× the image's 0\.2×0\.1×0\.1 µm.*801×801×801/);
    expect((err as PsfVoxelSizeError).hint).toMatch(/unit slip/);
  }, 10_000);

  it('crops a resampled PSF that is longer than a thin stack on one axis but small, and warns', async () => {
    const thin: Shape3 = [4, 32, 32];
    const img = makeVolume(
      Float32Array.from({ length: 4 * 32 * 32 }, (_, i) => 50 + (i % 7)),
      thin,
      { z: 0.1, y: 0.1, x: 0.1, unit: 'µm' },
    );
    const p = makeVolume(gaussianPsf(9), [9, 9, 9], { z: 0.5, y: 0.1, x: 0.1, unit: 'µm' }); // 41 slices at 0.1 µm
    const warnings: string[] = [];
    const out = await richardsonLucy(img, p, { iterations: 3, onWarning: (w) => warnings.push(w) });
    expect(warnings.join('\n')).toMatch(/41×9×9.*cropped to 7×9×9/);
    expect(stats(out.data).finite).toBe(out.data.length);
    const r = resamplePsf(p.data, p.shape, [0.5, 0.1, 0.1], [0.1, 0.1, 0.1], [7, 63, 63]);
    expect(r.shape).toEqual([7, 9, 9]);
    expect(r.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});
