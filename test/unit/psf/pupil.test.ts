import { describe, expect, it } from 'vitest';
import { PupilPsf, PUPIL_PARAM_COUNT } from '../../../src-main/core/psf/pupil';
import { fitPupilToBead } from '../../../src-main/core/psf/pupil-fit';
import { BeadPsf } from '../../../src-main/core/psf/bead-model';
import { generatePsf } from '../../../src-main/core/psf/generate';
import { analysePsf } from '../../../src-main/core/psf/analysis';
import { makeVolume, type Volume } from '../../../src-main/core/io/volume';
import { InvalidParameterError } from '../../../src-main/core/errors';

type S3 = [number, number, number];
const zeros = () => new Array<number>(PUPIL_PARAM_COUNT).fill(0);
const asPsf = (I: Float64Array, size: S3, dxy: number, dz: number): Volume => {
  const s = I.reduce((a, b) => a + b, 0);
  return makeVolume(
    Float32Array.from(I, (v) => v / s),
    size,
    { x: dxy, y: dxy, z: dz, unit: 'µm' },
    'synthetic',
  );
};

describe('pupil PSF model', () => {
  it('without aberrations equals the Gibson–Lanni Hankel-integral PSF (NCC, FWHM)', () => {
    const size: S3 = [21, 33, 33];
    const optics = { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.33, dxy: 0.1, dz: 0.2, size };
    const ours = asPsf(new PupilPsf({ ...optics, oversampling: 1 }).forward(zeros()), size, 0.1, 0.2);
    const ref = generatePsf({ ...optics, model: 'gibson-lanni', oversampling: 1 });
    const a = analysePsf(ours, { reference: ref }),
      b = analysePsf(ref);
    expect(a.ncc).toBeGreaterThan(0.999);
    expect(a.peak).toEqual(b.peak);
    for (const axis of ['x', 'y', 'z'] as const) expect(Math.abs(a.fwhm[axis] / b.fwhm[axis] - 1)).toBeLessThan(0.01);
  });

  it('with paraxial defocus equals the Born–Wolf PSF (which the exact defocus does not at NA 1.2)', () => {
    const size: S3 = [21, 25, 25];
    const optics = { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.33, dxy: 0.1, dz: 0.25, size };
    const ref = generatePsf({ ...optics, model: 'born-wolf', oversampling: 1 });
    const ncc = (defocus: 'exact' | 'paraxial') =>
      analysePsf(asPsf(new PupilPsf({ ...optics, oversampling: 1, defocus }).forward(zeros()), size, 0.1, 0.25), {
        reference: ref,
      }).ncc!;
    expect(ncc('paraxial')).toBeGreaterThan(0.999);
    expect(ncc('exact')).toBeLessThan(0.99);
  });

  it('puts the depth aberration on the same side as Gibson–Lanni’s particle depth', () => {
    const size: S3 = [61, 21, 21];
    const optics = { na: 1.3, wavelength: 0.52, ni: 1.515, ns: 1.38, dxy: 0.1, dz: 0.15, size };
    const ref = generatePsf({ ...optics, model: 'gibson-lanni', oversampling: 1, particleDepth: 3 });
    const model = new PupilPsf({ ...optics, oversampling: 1 });
    const ncc = (depth: number) => {
      const t = zeros();
      t[3] = depth;
      return analysePsf(asPsf(model.forward(t), size, 0.1, 0.15), { reference: ref }).ncc!;
    };
    expect(ncc(3)).toBeGreaterThan(0.99);
    expect(ncc(-3)).toBeLessThan(0.95);
  });

  it('has an exact gradient (central differences, every parameter)', () => {
    const size: S3 = [5, 9, 9];
    const model = new PupilPsf({
      na: 1.3,
      wavelength: 0.52,
      ni: 1.515,
      ns: 1.4,
      dxy: 0.1,
      dz: 0.2,
      size,
      oversampling: 2,
      padding: 1.5,
    });
    const theta = [0.03, -0.02, 0.1, 1.5, 0.3, 0.2, -0.1, 0.15, 0.05, -0.1, 0.1, 0.2];
    const w = Float64Array.from({ length: 5 * 81 }, (_, i) => Math.sin(i * 0.37));
    const loss = (t: number[]) => model.forward(t).reduce((s, v, i) => s + w[i]! * v, 0);
    loss(theta);
    const g = model.gradient(w);
    for (let p = 0; p < PUPIL_PARAM_COUNT; p++) {
      const h = 1e-5,
        tp = [...theta],
        tm = [...theta];
      tp[p]! += h;
      tm[p]! -= h;
      const fd = (loss(tp) - loss(tm)) / (2 * h);
      expect(Math.abs(g[p]! - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });

  it('has an exact gradient through the bead blur and the light-sheet profile too', () => {
    const size: S3 = [7, 9, 9];
    const model = new BeadPsf({ na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.4, dxy: 0.1, dz: 0.2, size, padding: 1.5 });
    const theta = [0.03, -0.02, 0.1, 1.5, 0.3, 0.2, -0.1, 0.15, 0.05, -0.1, 0.1, 0.2, 0.08, 0.7];
    const w = Float64Array.from({ length: 7 * 81 }, (_, i) => Math.sin(i * 0.37));
    const loss = (t: number[]) => model.forward(t).reduce((s, v, i) => s + w[i]! * v, 0);
    loss(theta);
    const g = model.gradient(w);
    for (let p = 0; p < theta.length; p++) {
      const h = 1e-5,
        tp = [...theta],
        tm = [...theta];
      tp[p]! += h;
      tm[p]! -= h;
      const fd = (loss(tp) - loss(tm)) / (2 * h);
      expect(Math.abs(g[p]! - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });

  it('refuses an NA at or above the immersion index before computing', () => {
    expect(
      () => new PupilPsf({ na: 1.4, wavelength: 0.52, ni: 1.33, ns: 1.33, dxy: 0.1, dz: 0.2, size: [3, 5, 5] }),
    ).toThrow(InvalidParameterError);
  });
});

describe('fitPupilToBead', () => {
  it('recovers known aberrations and bead size from a noisy synthetic bead, with uncertainties', () => {
    const size: S3 = [21, 25, 25];
    const optics = { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.33 };
    const truth = [0.02, -0.03, 0.1, 0, 0.2, 0.4, -0.2, 0.3, 0, 0, 0, 0.3, 0.06, 0];
    const I = new BeadPsf({ ...optics, dxy: 0.1, dz: 0.2, size }).forward(truth);
    const peak = Math.max(...I);
    const data = Float32Array.from(I, (v, i) => (1000 * v) / peak + 50 + 5 * Math.sin(i * 12.9898));
    const fit = fitPupilToBead(makeVolume(data, size, { x: 0.1, y: 0.1, z: 0.2, unit: 'µm' }, 'synthetic'), optics, {
      box: size,
    });
    expect(fit.ncc).toBeGreaterThan(0.99);
    Object.keys(fit.params).forEach((name, p) => {
      // depth: no effect when ns = ni; sheet: held at 0 without lightSheet. Both report σ NaN.
      if (name === 'depth' || name === 'sheet') {
        expect(fit.params[name]!.sigma).toBeNaN();
        return;
      }
      const tol = name === 'apodisation' ? 0.05 : name.startsWith('Z') ? 0.015 : 0.005;
      expect(Math.abs(fit.params[name]!.value - truth[p]!), name).toBeLessThan(tol);
      expect(fit.params[name]!.sigma).toBeGreaterThan(0);
    });
    expect(fit.psf.shape).toEqual(size);
  });

  it('gives the same uncertainties for a bead stored as small numbers (a unit-sum PSF)', () => {
    // σ does not depend on the data's scale (J's columns scale with it, the residual variance with its square);
    // the correlation loss does not either, so both fits take the same path.
    const size: S3 = [15, 19, 19];
    const optics = { na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.33 }; // ns = ni: no depth scan, half the time
    const I = new BeadPsf({ ...optics, dxy: 0.1, dz: 0.25, size }).forward([
      0, 0, 0, 5, 0, 0.1, 0, 0, 0, 0, 0, 0.05, 0.03, 0,
    ]);
    const peak = Math.max(...I);
    const data = Float32Array.from(I, (v, i) => (1000 * v) / peak + 50 + 5 * Math.sin(i * 12.9898));
    const voxel = { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' };
    const fit = (scale: number) =>
      fitPupilToBead(
        makeVolume(
          data.map((v) => v * scale),
          size,
          voxel,
          'synthetic',
        ),
        optics,
        { box: size, iterations: 4 },
      );
    const big = fit(1),
      small = fit(1e-7);
    for (const [name, p] of Object.entries(big.params)) {
      if (name === 'sheet' || name === 'depth') continue; // held fixed / no effect at ns = ni: NaN in both
      expect(p.sigma, name).toBeGreaterThan(0);
      expect(small.params[name]!.sigma / p.sigma, name).toBeCloseTo(1, 3);
    }
  });

  it('fits a light sheet’s axial profile when asked (excitation × detection)', () => {
    const size: S3 = [21, 13, 13];
    const optics = { na: 1.1, wavelength: 0.52, ni: 1.33, ns: 1.33 };
    const truth = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.03, 2];
    const I = new BeadPsf({ ...optics, dxy: 0.1, dz: 0.1, size }).forward(truth);
    const bead = makeVolume(Float32Array.from(I), size, { x: 0.1, y: 0.1, z: 0.1, unit: 'µm' }, 'synthetic');
    const widefield = fitPupilToBead(bead, optics, { box: size, iterations: 15 });
    const sheet = fitPupilToBead(bead, optics, { box: size, iterations: 15, lightSheet: true });
    expect(sheet.ncc).toBeGreaterThan(0.999);
    expect(sheet.ncc).toBeGreaterThan(widefield.ncc);
    expect(Math.abs(sheet.params.sheet!.value - 2)).toBeLessThan(0.1);
  });
});
