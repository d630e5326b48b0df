import { describe, expect, it } from 'vitest';
import { createRng, DEFAULT_SYNTH, synthesize } from '../../../src-main/core/synth/index';

const small = {
  ...DEFAULT_SYNTH,
  shape: [12, 32, 32] as [number, number, number],
  psf: { ...DEFAULT_SYNTH.psf, size: [7, 15, 15] as [number, number, number] },
};

describe('synthetic data', { timeout: 30_000 }, () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const a = synthesize(small),
      b = synthesize(small),
      c = synthesize({ ...small, seed: 2 });
    expect(a.blurred.data).toEqual(b.blurred.data);
    expect(a.groundTruth.data).not.toEqual(c.groundTruth.data);
  });
  it('makes an unmatched sharp set, a PSF of sum 1 and calibrated volumes', () => {
    const r = synthesize(small);
    expect(r.sharp.data).not.toEqual(r.groundTruth.data);
    expect(r.psf.data.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    expect(r.blurred.voxelSize).toEqual({ x: 0.1, y: 0.1, z: 0.25, unit: 'µm' });
    expect(Math.max(...r.groundTruth.data)).toBeLessThanOrEqual(1);
  });
  it('noise statistics: mean ≈ photons·blur + background', () => {
    const r = synthesize({ ...small, readNoise: 0 });
    const meanGt = r.groundTruth.data.reduce((s, v) => s + v, 0) / r.groundTruth.data.length;
    const meanObs = r.blurred.data.reduce((s, v) => s + v, 0) / r.blurred.data.length;
    // blur with a sum-1 PSF and mirror boundaries roughly preserves the mean
    expect(meanObs).toBeGreaterThan(0.8 * (meanGt * small.photons + small.background));
    expect(meanObs).toBeLessThan(1.2 * (meanGt * small.photons + small.background));
  });
  it('Poisson sampler has mean ≈ variance ≈ λ', () => {
    for (const lambda of [3, 80]) {
      const rng = createRng(42),
        xs = Array.from({ length: 20000 }, () => rng.poisson(lambda));
      const m = xs.reduce((s, v) => s + v, 0) / xs.length,
        v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length;
      expect(m).toBeCloseTo(lambda, 0);
      expect(v / lambda).toBeGreaterThan(0.93);
      expect(v / lambda).toBeLessThan(1.07);
    }
  });
});
