// Measurement and display functions against analytic references.
import { describe, expect, it } from 'vitest';
import { autoContrast, clahe, normalise, percentile, toRgba } from '../../src-renderer/lib/display';
import { argmax3, centroid, fwhm, lineProfile } from '../../src-renderer/lib/profile';
import { besselJ0, theoreticalPsf } from '../../src-renderer/lib/theory-psf';
import { downsampleToFit, sliceOf } from '../../src-renderer/lib/volume';
import { toMicrometres } from '../../src-renderer/lib/units';

const gauss = (n: number, c: number, sigma: number) =>
  Array.from({ length: n }, (_, i) => Math.exp(-((i - c) ** 2) / (2 * sigma ** 2)));

describe('FWHM and profiles', () => {
  it('measures a Gaussian as 2·sqrt(2 ln 2)·σ, off-grid centre and with background', () => {
    for (const sigma of [1.5, 3, 7.2]) {
      const p = gauss(101, 50.3, sigma).map((v) => 10 + 100 * v);
      expect(fwhm(p)).toBeCloseTo(2 * Math.sqrt(2 * Math.LN2) * sigma, 6);
    }
  });
  it('measures a Lorentzian (not Gaussian) within 2 % and a one-sample spike as 1 (linear fallback at zero)', () => {
    const lor = Array.from({ length: 201 }, (_, i) => 1 / (1 + ((i - 100.4) / 2.5) ** 2));
    expect(Math.abs(fwhm(lor) - 5) / 5).toBeLessThan(0.02);
    expect(fwhm([0, 0, 0, 4, 0, 0, 0])).toBeCloseTo(1, 6);
  });
  it('refuses a peak that touches the edge', () => {
    expect(fwhm([5, 4, 3, 2, 1])).toBeNaN();
  });
  it('samples a line bilinearly', () => {
    const w = 4,
      h = 3;
    const img = Float32Array.from({ length: w * h }, (_, i) => i % w); // value = x
    const p = lineProfile(img, w, h, 0, 1, 3, 1);
    expect(Array.from(p)).toEqual([0, 1, 2, 3]);
    expect(lineProfile(img, w, h, 0.5, 0, 0.5, 2)[1]).toBeCloseTo(0.5);
  });
  it('finds the centroid and peak of an off-centre blob', () => {
    const shape: [number, number, number] = [9, 11, 13];
    const v = new Float32Array(9 * 11 * 13);
    for (let z = 0; z < 9; z++)
      for (let y = 0; y < 11; y++)
        for (let x = 0; x < 13; x++) {
          v[(z * 11 + y) * 13 + x] = Math.exp(-((z - 3) ** 2 + (y - 6) ** 2 + (x - 4) ** 2) / 2);
        }
    const c = centroid(v, shape);
    expect(c[0]).toBeCloseTo(3, 1);
    expect(c[1]).toBeCloseTo(6, 1);
    expect(c[2]).toBeCloseTo(4, 1);
    expect(argmax3(v, shape)).toEqual([3, 6, 4]);
  });
});

describe('display mapping', () => {
  it('percentiles of a ramp and an auto window inside the data', () => {
    const ramp = Float32Array.from({ length: 10001 }, (_, i) => i);
    expect(percentile(ramp, 0.5)).toBeGreaterThan(4990);
    expect(percentile(ramp, 0.5)).toBeLessThan(5010);
    const c = autoContrast(ramp);
    expect(c.min).toBeLessThan(20);
    expect(c.max).toBeGreaterThan(9980);
  });
  it('maps through the window with clamping, log and gamma', () => {
    const c = { min: 10, max: 20, gamma: 1, log: false };
    expect([normalise(5, c), normalise(15, c), normalise(25, c)]).toEqual([0, 0.5, 1]);
    expect(normalise(15, { ...c, log: true })).toBeGreaterThan(0.5);
    expect(normalise(15, { ...c, gamma: 2 })).toBeCloseTo(Math.SQRT1_2);
    const rgba = toRgba(new Float32Array([10, 20]), 2, 1, c);
    expect(Array.from(rgba)).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
  });
  it('CLAHE without clipping on one tile is histogram equalisation (output = empirical CDF)', () => {
    const w = 32,
      h = 32;
    const img = Float32Array.from({ length: w * h }, (_, i) => ((i * 7919) % 1024) / 1024);
    const out = clahe(img, w, h, 32, 1e9, 256);
    for (let i = 0; i < img.length; i += 37) {
      const bin = Math.floor(img[i]! * 256);
      const rank = img.filter((v) => Math.floor(v * 256) <= bin).length / img.length;
      expect(out[i]).toBeCloseTo(rank, 5);
    }
  });
  it('CLAHE with a clip limit stretches a faint ramp less than full equalisation, preserving order', () => {
    const w = 64,
      h = 64;
    const img = Float32Array.from({ length: w * h }, (_, i) => 0.4 + 0.05 * ((i % w) / w));
    const spread = (a: Float32Array) => Math.max(...a) - Math.min(...a);
    const limited = clahe(img, w, h, 64, 2.5);
    const full = clahe(img, w, h, 64, 1e9);
    expect(spread(limited)).toBeGreaterThan(0.05);
    expect(spread(limited)).toBeLessThan(spread(full));
    for (let x = 1; x < w; x++) expect(limited[x]).toBeGreaterThanOrEqual(limited[x - 1]!);
  });
});

describe('volumes', () => {
  const v = {
    data: Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i),
    shape: [2, 3, 4] as [number, number, number],
    voxelSize: { x: 0.1, y: 0.1, z: 0.3, unit: 'µm' },
    min: 0,
    max: 23,
  };
  it('slices XY, XZ and YZ planes', () => {
    expect(Array.from(sliceOf(v, 'z', 1).data)).toEqual([12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
    expect(sliceOf(v, 'y', 2)).toMatchObject({ w: 4, h: 2 });
    expect(Array.from(sliceOf(v, 'y', 2).data)).toEqual([8, 9, 10, 11, 20, 21, 22, 23]);
    expect(Array.from(sliceOf(v, 'x', 1).data)).toEqual([1, 5, 9, 13, 17, 21]);
  });
  it('downsamples by block means and scales the voxel size', () => {
    const d = downsampleToFit(v, 6);
    expect(d.shape).toEqual([1, 2, 2]);
    expect(d.voxelSize.x).toBeCloseTo(0.2);
    expect(d.data[0]).toBeCloseTo((0 + 1 + 4 + 5 + 12 + 13 + 16 + 17) / 8);
  });
  it('converts units and flags unknown ones', () => {
    expect(toMicrometres({ x: 100, y: 100, z: 250, unit: 'nm' })).toEqual({ x: 0.1, y: 0.1, z: 0.25, known: true });
    expect(toMicrometres({ x: 1, y: 1, z: 1, unit: 'px' }).known).toBe(false);
  });
});

describe('theoretical PSF', () => {
  it('J0 matches tabulated values', () => {
    expect(besselJ0(0)).toBeCloseTo(1, 6);
    expect(besselJ0(2.404825557695773)).toBeCloseTo(0, 6);
    expect(besselJ0(5)).toBeCloseTo(-0.1775967713, 6);
  });
  it('Born–Wolf: lateral FWHM 0.514 λ/NA and axial FWHM 1.772 nλ/NA² (paraxial)', () => {
    const p = {
      model: 'born-wolf' as const,
      numericalAperture: 1.4,
      wavelength: 520,
      immersionIndex: 1.515,
      sampleIndex: 1.515,
      particleDepth: 0,
      voxelSize: { x: 0.02, y: 0.02, z: 0.05 },
      shape: [41, 33, 33] as [number, number, number],
    };
    const psf = theoreticalPsf(p);
    let s = 0;
    for (const v of psf) s += v;
    expect(s).toBeCloseTo(1, 5);
    const vol = { data: psf, shape: p.shape, voxelSize: { ...p.voxelSize, unit: 'µm' }, min: 0, max: 1 };
    const xline = Array.from(sliceOf(vol, 'z', 20).data.subarray(16 * 33, 17 * 33));
    const zline = Array.from({ length: 41 }, (_, z) => psf[(z * 33 + 16) * 33 + 16]!);
    expect(fwhm(xline) * 0.02).toBeCloseTo((0.514 * 0.52) / 1.4, 2);
    expect(fwhm(zline) * 0.05).toBeCloseTo((1.7718 * 1.515 * 0.52) / 1.96, 1);
  });
  it('Gibson–Lanni with matched indices is symmetric about focus; a mismatch makes it asymmetric', () => {
    const base = {
      model: 'gibson-lanni' as const,
      numericalAperture: 1.3,
      wavelength: 600,
      immersionIndex: 1.515,
      sampleIndex: 1.515,
      particleDepth: 10,
      voxelSize: { x: 0.05, y: 0.05, z: 0.1 },
      shape: [31, 9, 9] as [number, number, number],
    };
    const axial = (ps: Float32Array) => Array.from({ length: 31 }, (_, z) => ps[(z * 9 + 4) * 9 + 4]!);
    const matched = axial(theoreticalPsf(base));
    for (let k = 1; k < 15; k++) expect(matched[15 - k]).toBeCloseTo(matched[15 + k]!, 6);
    const mismatched = axial(theoreticalPsf({ ...base, sampleIndex: 1.33 }));
    const asym = Math.abs(mismatched[10]! - mismatched[20]!) / Math.max(...mismatched);
    expect(asym).toBeGreaterThan(0.05);
  });
});
