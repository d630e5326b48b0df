// Richardson–Lucy on widefield stacks whose object and blur reach beyond the acquired z range: the
// boundary model of Bertero & Boccacci (default), the background term, momentum, and a NumPy reference.
import { describe, expect, it } from 'vitest';
import { readF32, readJson, relativeL2 } from './read-f32';
import { richardsonLucyArray, type RlPlan, type RlProgress } from '../../../src-main/core/deconv/rl';
import { estimateBackground, estimateStackBackground, parseBackground } from '../../../src-main/core/deconv/background';
import { createRng } from '../../../src-main/core/synth/index';
import { InvalidParameterError } from '../../../src-main/core/errors';
import { edgeRatio, sum, widefieldStack } from './widefield-stack';

type S3 = [number, number, number];
const bb = readJson<{ image_shape: S3; psf_shape: S3; iterations: number; background: number; scale: number }>(
  'rl_bb_reference.json',
);

describe('Richardson–Lucy on widefield stacks', { timeout: 120_000 }, () => {
  // 16 of 48 slices acquired, Born–Wolf NA 1.4 PSF of 33 slices, camera offset 100, ~200 photons.
  const s = widefieldStack({ nz: 16, nxy: 64, psfZ: 33, psfXY: 47, offset: 100, photons: 200 });
  const truthEdge = edgeRatio(s.truth, s.shape),
    truthFlux = sum(s.truth);

  it('keeps the light out of the edge slices and the flux right with the default (extended domain, auto background)', async () => {
    let plan: RlPlan | undefined;
    const out = await richardsonLucyArray(s.image, s.shape, s.psf, s.psfShape, {
      iterations: 50,
      onPlan: (p) => {
        plan = p;
      },
    });
    expect(plan?.boundary).toBe('extend');
    expect(plan?.backgroundSource).toBe('auto');
    expect(plan?.background).toBeGreaterThan(0.97 * s.offset);
    expect(plan?.background).toBeLessThanOrEqual(1.03 * s.offset);
    const ratio = edgeRatio(out, s.shape);
    expect(ratio / truthEdge).toBeGreaterThan(1 / 1.5);
    expect(ratio / truthEdge).toBeLessThan(1.5);
    expect(Math.abs(sum(out) / truthFlux - 1)).toBeLessThan(0.15);
  });

  it('mirror padding without the offset puts the light into the edge slices (the failure the default fixes)', async () => {
    const out = await richardsonLucyArray(s.image, s.shape, s.psf, s.psfShape, {
      iterations: 50,
      boundary: 'reflect',
      background: 0,
    });
    expect(edgeRatio(out, s.shape)).toBeGreaterThan(3 * truthEdge);
    expect(sum(out) / truthFlux).toBeGreaterThan(2);
  });

  it('momentum (shb) stays as close to the truth and reports a falling I-divergence', async () => {
    const progress: RlProgress[] = [];
    const out = await richardsonLucyArray(s.image, s.shape, s.psf, s.psfShape, {
      iterations: 25,
      acceleration: 'shb',
      onProgress: (p) => progress.push(p),
    });
    const ratio = edgeRatio(out, s.shape);
    expect(ratio / truthEdge).toBeGreaterThan(1 / 1.5);
    expect(ratio / truthEdge).toBeLessThan(1.5);
    expect(Math.abs(sum(out) / truthFlux - 1)).toBeLessThan(0.15);
    const d = progress.map((p) => p.divergence!);
    expect(d.every(Number.isFinite)).toBe(true);
    expect(d[d.length - 1]).toBeLessThan(0.5 * d[0]!);
    expect(progress[1]!.divergenceChange).toBeGreaterThan(0);
  });
});

describe('Bertero–Boccacci RL against the NumPy reference (rl_bb_reference.py)', { timeout: 60_000 }, () => {
  const image = readF32('rl_image.f32').map((v) => v * bb.scale + bb.background),
    psf = readF32('rl_psf.f32');
  it('plain iteration: rel. L2 < 1e-3', async () => {
    const out = await richardsonLucyArray(image, bb.image_shape, psf, bb.psf_shape, {
      iterations: bb.iterations,
      background: bb.background,
    });
    expect(relativeL2(out, readF32('rl_bb_result.f32'))).toBeLessThan(1e-3);
  });
  it('scaled heavy ball: rel. L2 < 1e-3', async () => {
    const out = await richardsonLucyArray(image, bb.image_shape, psf, bb.psf_shape, {
      iterations: bb.iterations,
      background: bb.background,
      acceleration: 'shb',
    });
    expect(relativeL2(out, readF32('rl_bb_shb_result.f32'))).toBeLessThan(1e-3);
  });
});

describe('background', () => {
  it('auto sits at the camera offset under noise and dead pixels, never below 0', () => {
    const v = Float32Array.from({ length: 100_000 }, (_, i) => 217 + ((i * 7919) % 13) - 6 + (i % 97 === 0 ? 500 : 0));
    v[5] = 0;
    v[17] = 0; // a few dead pixels stay below the 0.1st percentile
    const b = estimateBackground(v);
    expect(b).toBeGreaterThanOrEqual(211);
    expect(b).toBeLessThanOrEqual(217);
    expect(estimateBackground(new Float32Array([-5, -3, -1]))).toBe(0);
  });
  it('finds a dim background (10 photons, read noise 2) that a voxel quantile puts at 0', () => {
    const rng = createRng(5),
      shape: S3 = [4, 64, 64];
    const v = Float32Array.from(
      { length: 4 * 64 * 64 },
      (_, i) => rng.poisson(10 + (i % 64 > 40 ? 50 : 0)) + 2 * rng.normal(),
    );
    expect(estimateBackground(v)).toBeLessThan(2);
    const b = estimateStackBackground(v, shape);
    expect(b).toBeGreaterThan(8.5);
    expect(b).toBeLessThanOrEqual(10.2);
  });
  it('parses auto, numbers and rejects the rest before work starts', async () => {
    expect(parseBackground('auto')).toBe('auto');
    expect(parseBackground('12.5')).toBe(12.5);
    expect(() => parseBackground('-1')).toThrow(InvalidParameterError);
    expect(() => parseBackground('abc')).toThrow(InvalidParameterError);
    await expect(
      richardsonLucyArray(new Float32Array(8), [2, 2, 2], new Float32Array([1]), [1, 1, 1], {
        iterations: 1,
        boundary: 'mirror' as never,
      }),
    ).rejects.toBeInstanceOf(InvalidParameterError);
  });
});
