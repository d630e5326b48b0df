// Artefact measures (metrics/artefacts.ts) against hand-computed values, and the output verdict
// (metrics/output-verdict.ts) on a checkerboard-contaminated and a negative-light result.
import { describe, expect, it } from 'vitest';
import type { Shape3 } from '../../../src-main/core/io/volume';
import {
  highFrequencyPower,
  measureArtefacts,
  negativeLight,
  noiseSigma,
} from '../../../src-main/core/metrics/artefacts';
import { outputVerdict } from '../../../src-main/core/metrics/output-verdict';
import { ncc } from '../../../src-main/core/metrics/index';

const shape: Shape3 = [16, 32, 32];
const n = shape[0] * shape[1] * shape[2];
const at = (f: (z: number, y: number, x: number) => number) =>
  Float32Array.from({ length: n }, (_, i) => f(Math.floor(i / 1024), Math.floor(i / 32) % 32, i % 32));
const blob = at((z, y, x) => 1000 * Math.exp(-((z - 8) ** 2 + (y - 16) ** 2 + (x - 16) ** 2) / (2 * 2.5 ** 2)));
/** Deterministic noise in [−a, a]. */
const noise = (a: number) => {
  let s = 12345;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return a * ((2 * s) / 2 ** 31 - 1);
  });
};

describe('high-frequency power', () => {
  it('a lateral Nyquist checkerboard has all its power above 0.4 cycles/voxel laterally, none axially', () => {
    const p = highFrequencyPower(
      at((_z, y, x) => ((x + y) % 2 ? 1 : -1)),
      shape,
    );
    expect(p.lateral).toBeCloseTo(1, 10);
    expect(p.axial).toBeCloseTo(0, 10);
  });
  it('an axial alternation has all its power above the cut-off axially, none laterally', () => {
    const p = highFrequencyPower(
      at((z) => (z % 2 ? 5 : 3)),
      shape,
    );
    expect(p.axial).toBeCloseTo(1, 10);
    expect(p.lateral).toBeCloseTo(0, 10);
  });
  it('a smooth Gaussian blob has almost none (exp(−4π²σ²f²) at f = 0.4, σ = 2.5: < 1e-6)', () => {
    const p = highFrequencyPower(blob, shape);
    expect(p.lateral).toBeLessThan(1e-6);
    expect(p.axial!).toBeLessThan(1e-6);
  });
  it('a period-4 stripe (0.25 cycles/voxel) is below the cut-off; half a checkerboard mixed in gives its share', () => {
    const stripe = at((_z, _y, x) => Math.cos((2 * Math.PI * x) / 4));
    expect(highFrequencyPower(stripe, shape).lateral).toBeCloseTo(0, 10);
    // Equal-power sum of orthogonal components: cos (power ½ per voxel) + ½·checkerboard·√2 (power ½): half above.
    const mixed = at((_z, y, x) => Math.cos((2 * Math.PI * x) / 4) + Math.SQRT1_2 * ((x + y) % 2 ? 1 : -1));
    expect(highFrequencyPower(mixed, shape).lateral).toBeCloseTo(0.5, 6);
  });
  it('a single slice has no axial measure; a constant volume has no high-frequency power', () => {
    expect(
      highFrequencyPower(
        new Float32Array(64).map((_, i) => i % 2),
        [1, 8, 8],
      ).axial,
    ).toBeNull();
    expect(highFrequencyPower(new Float32Array(n).fill(7), shape)).toEqual({ lateral: 0, axial: 0 });
  });
});

describe('noise and negative light', () => {
  it('noise σ of uniform noise on [−a, a] is close to a/√3 (MAD-based estimate within 15 %)', () => {
    const s = noiseSigma(noise(30), shape);
    expect(s).toBeGreaterThan((0.85 * 30) / Math.sqrt(3));
    expect(s).toBeLessThan((1.15 * 30) / Math.sqrt(3));
  });
  it('counts negative voxels, the minimum and the 0.1 % quantile in noise σ', () => {
    const d = new Float32Array(1000).fill(10);
    d[0] = -50;
    d[1] = -20;
    const r = negativeLight(d, 5);
    expect(r.fraction).toBeCloseTo(0.002, 12);
    expect(r.minimum).toBe(-50);
    // 0.1 % of 1000 sorted values: position 0.999 between −50 and −20 → −20.03, / σ 5.
    expect(r.p001InNoise).toBeCloseTo((-50 + 30 * 0.999) / 5, 4);
  });
});

describe('output verdict', () => {
  const input = blob.map((v, i) => v + 100 + noise(5)[i]!);
  const ok = (result: Float32Array) =>
    outputVerdict({
      correlation: ncc(result, input),
      artefacts: measureArtefacts(shape, input, result),
      reblur: { result: 0.05, input: 0.08 },
      noiseRelative: 0.02,
    });

  it('passes a smooth result that follows the input', () => {
    const v = ok(blob.map((v) => v + 100));
    expect(v.flags).toEqual([]);
    expect(v.passed).toBe(true);
    expect(v.message).toMatch(/^Output check passed/);
  });
  it('flags a checkerboard-contaminated result (12 % of its power at Nyquist, as on held-out filament data)', () => {
    const check = at((_z, y, x) => ((x + y) % 2 ? 1 : -1));
    const clean = blob.map((v) => v + 100);
    const mean = clean.reduce((a, b) => a + b, 0) / n;
    const rms = Math.sqrt(clean.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    const contaminated = clean.map((v, i) => v + 0.37 * rms * check[i]!);
    const a = measureArtefacts(shape, input, contaminated);
    expect(a.result.highFrequency.lateral).toBeGreaterThan(0.1);
    const v = ok(contaminated);
    expect(v.passed).toBe(false);
    expect(v.flags.map((f) => f.code)).toContain('high-frequency-lateral');
    expect(v.message).toMatch(/above 0\.4 cycles\/voxel vs \d+\.\d % in the input: a checkerboard/);
  });
  it('flags a negative-light result (a smooth dip far below zero on a positive input)', () => {
    const dip = at((z, y, x) => 3000 * Math.exp(-((z - 8) ** 2 + (y - 6) ** 2 + (x - 6) ** 2) / (2 * 2.5 ** 2)));
    const negative = blob.map((v, i) => v + 100 - dip[i]!);
    const v = ok(negative);
    expect(v.flags.map((f) => f.code)).toEqual(['negative-light']);
    // The dip's floor: 100 − 3000 (+ the blob's tail, e^(−200/12.5)·1000 ≈ 1e-4) = −2900.
    expect(v.message).toMatch(/negative light: \d\.\d % of voxels below zero, down to -2\.90e\+3/);
  });
  it('flags a result that re-blurs worse than the input (0.55 vs 0.27, the demo before this check)', () => {
    const v = outputVerdict({
      correlation: 0.9,
      artefacts: measureArtefacts(shape, input, input),
      reblur: { result: 0.55, input: 0.27 },
      noiseRelative: 0.05,
    });
    expect(v.passed).toBe(false);
    expect(v.flags.map((f) => f.code)).toEqual(['reblur-worse']);
    expect(v.message).toContain(
      'explains the input worse than the input itself: relative residual 0.550 vs 0.270 for the input',
    );
  });
  it('a residual within the noise passes even when the input re-blurs better', () => {
    const v = outputVerdict({
      correlation: 0.9,
      artefacts: measureArtefacts(shape, input, input),
      reblur: { result: 0.1, input: 0.02 },
      noiseRelative: 0.1,
    });
    expect(v.passed).toBe(true);
  });
  it('flags a result unrelated to its input', () => {
    const v = ok(noise(1000).map((x) => x + 2000));
    expect(v.flags.map((f) => f.code)).toContain('unrelated');
  });
});
