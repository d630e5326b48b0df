import { describe, expect, it } from 'vitest';
import { readF32, readJson, relativeL2 } from './read-f32';
import { richardsonLucy, richardsonLucyArray } from '../../../src-main/core/deconv/rl';
import { convolveArray, convolveFFT } from '../../../src-main/core/deconv/convolve';
import { resamplePsf } from '../../../src-main/core/deconv/grid';
import { makeVolume } from '../../../src-main/core/io/volume';
import { CancelledError } from '../../../src-main/core/errors';

type S3 = [number, number, number];
const meta = readJson<{ image_shape: S3; psf_shape: S3; iterations: number; init: number }>('rl_reference.json');
const image = readF32('rl_image.f32'),
  psf = readF32('rl_psf.f32'),
  expected = readF32('rl_result.f32');

describe('Richardson–Lucy', { timeout: 60_000 }, () => {
  it('matches skimage.richardson_lucy on mirror-padded flowdec bars (rl_reference.py), rel. L2 < 1e-3', async () => {
    const progress: number[] = [];
    const out = await richardsonLucyArray(image, meta.image_shape, psf, meta.psf_shape, {
      iterations: meta.iterations,
      init: meta.init,
      boundary: 'reflect',
      background: 0,
      onProgress: (p) => progress.push(p.iteration),
    });
    expect(relativeL2(out, expected)).toBeLessThan(1e-3);
    expect(progress).toEqual(Array.from({ length: meta.iterations }, (_, i) => i + 1));
  });

  it('is cancellable with an AbortSignal', async () => {
    const ctl = new AbortController();
    const run = richardsonLucyArray(image, meta.image_shape, psf, meta.psf_shape, {
      iterations: 50,
      onProgress: (p) => {
        if (p.iteration === 2) ctl.abort();
      },
      signal: ctl.signal,
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });

  it('TV regularisation smooths noise, keeps non-negativity and changes the result only slightly', async () => {
    // Mirror boundary, as when this test was written; the TV term is what is under test here.
    const plain = await richardsonLucyArray(image, meta.image_shape, psf, meta.psf_shape, {
      iterations: 5,
      boundary: 'reflect',
      background: 0,
    });
    const tv = await richardsonLucyArray(image, meta.image_shape, psf, meta.psf_shape, {
      iterations: 5,
      tv: 0.01,
      background: 0.01,
      boundary: 'reflect',
    });
    const tvOf = (a: Float32Array) => {
      let s = 0;
      for (let i = 1; i < a.length; i++) s += Math.abs(a[i]! - a[i - 1]!);
      return s;
    };
    expect(tvOf(tv)).toBeLessThan(tvOf(plain));
    expect(Math.min(...tv)).toBeGreaterThanOrEqual(0);
    expect(relativeL2(tv, plain)).toBeLessThan(0.2);
  });

  it('inverts a known blur of a sparse object better than the blurred input', async () => {
    const shape: S3 = [9, 24, 24],
      truth = new Float32Array(9 * 24 * 24);
    truth[(4 * 24 + 8) * 24 + 8] = 1;
    truth[(4 * 24 + 15) * 24 + 14] = 0.5;
    const k = 2,
      g: number[] = [];
    for (let z = -k; z <= k; z++)
      for (let y = -k; y <= k; y++) for (let x = -k; x <= k; x++) g.push(Math.exp(-(x * x + y * y + z * z) / 2));
    const sum = g.reduce((a, b) => a + b, 0),
      kernel = Float32Array.from(g, (v) => v / sum);
    const blurred = convolveArray(truth, shape, kernel, [5, 5, 5]);
    const out = await richardsonLucyArray(blurred, shape, kernel, [5, 5, 5], { iterations: 60 });
    expect(relativeL2(out, truth)).toBeLessThan(
      0.6 *
        relativeL2(
          blurred.map((v) => v),
          truth,
        ),
    );
  });

  it('resamples a PSF given at another voxel size and warns', async () => {
    const img = makeVolume(image, meta.image_shape, { x: 0.1, y: 0.1, z: 0.2, unit: 'µm' });
    const p = makeVolume(psf, meta.psf_shape, { x: 0.05, y: 0.05, z: 0.2, unit: 'µm' });
    const warnings: string[] = [];
    const out = await richardsonLucy(img, p, { iterations: 2, onWarning: (w) => warnings.push(w) });
    expect(warnings[0]).toMatch(/resampling/);
    expect(out.shape).toEqual(meta.image_shape);
    const r = resamplePsf(psf, meta.psf_shape, [0.2, 0.05, 0.05], [0.2, 0.1, 0.1]);
    expect(r.shape).toEqual([15, 15, 15]);
    expect(r.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});

describe('convolveFFT', () => {
  it('equals direct convolution with zero boundary (odd and even PSF sizes)', () => {
    for (const ps of [
      [3, 3, 3],
      [2, 4, 3],
    ] as S3[]) {
      const shape: S3 = [5, 7, 6];
      const data = Float32Array.from({ length: 210 }, (_, i) => Math.sin(i * 1.7) + 1);
      const k = Float32Array.from({ length: ps[0] * ps[1] * ps[2] }, (_, i) => 1 + (i % 5));
      const got = convolveFFT(makeVolume(data, shape), makeVolume(k, ps), 'zero').data;
      const c = ps.map((n) => Math.floor(n / 2));
      for (let z = 0; z < 5; z++)
        for (let y = 0; y < 7; y++)
          for (let x = 0; x < 6; x++) {
            let acc = 0;
            for (let a = 0; a < ps[0]; a++)
              for (let b = 0; b < ps[1]; b++)
                for (let d = 0; d < ps[2]; d++) {
                  const zz = z + c[0]! - a,
                    yy = y + c[1]! - b,
                    xx = x + c[2]! - d;
                  if (zz < 0 || yy < 0 || xx < 0 || zz >= 5 || yy >= 7 || xx >= 6) continue;
                  acc += k[(a * ps[1] + b) * ps[2] + d]! * data[(zz * 7 + yy) * 6 + xx]!;
                }
            expect(got[(z * 7 + y) * 6 + x]).toBeCloseTo(acc, 3);
          }
    }
  });
  it('keeps a constant volume constant with the mirror boundary', () => {
    const out = convolveArray(
      new Float32Array(4 * 8 * 8).fill(2),
      [4, 8, 8],
      new Float32Array(27).fill(1 / 27),
      [3, 3, 3],
    );
    for (const v of out) expect(v).toBeCloseTo(2, 5);
  });
});
