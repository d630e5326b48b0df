import { describe, expect, it } from 'vitest';
import { fitPsfFromSpectra } from '../../../src-main/core/psf/spectral-fit';
import { convolveArray } from '../../../src-main/core/deconv/convolve';
import { gaussianPsf } from '../../../src-main/core/psf/kernels';
import { makeVolume, type Shape3, type Volume } from '../../../src-main/core/io/volume';
import { createRng } from '../../../src-main/core/synth/random';
import { groundTruth } from '../../../src-main/core/synth/structures';
import { DEFAULT_SYNTH, synthesize } from '../../../src-main/core/synth/index';
import { CycleDeconError } from '../../../src-main/core/errors';

const K = 2 * Math.sqrt(2 * Math.LN2);
const VOXEL = { x: 0.1, y: 0.1, z: 0.25, unit: 'µm' };
const SHAPE: Shape3 = [24, 64, 64];
const COUNTS = { filaments: 10, beads: 30, nuclei: 1 };

const structures = (seed: number) => groundTruth([...SHAPE], COUNTS, createRng(seed), VOXEL.z / VOXEL.x);

/** Structures blurred by a Gaussian of the given FWHM (µm), Poisson noise at `photons` peak + background 10. */
function blurredStack(seed: number, fwhmXY: number, fwhmZ: number, photons: number): Volume {
  const sig: [number, number, number] = [fwhmZ / VOXEL.z / K, fwhmXY / VOXEL.x / K, fwhmXY / VOXEL.x / K];
  const box: Shape3 = [15, 21, 21];
  const clean = convolveArray(structures(seed), SHAPE, gaussianPsf([...box], sig), box);
  const rng = createRng(seed + 7);
  return makeVolume(
    clean.map((v) => rng.poisson(Math.max(v, 0) * photons + 10)),
    SHAPE,
    { ...VOXEL },
    'synthetic',
  );
}
const sharpStacks = () => [11, 12].map((s) => makeVolume(structures(s), SHAPE, { ...VOXEL }, 'synthetic'));

describe('blind PSF width from power spectra (core/psf/spectral-fit)', { timeout: 120_000 }, () => {
  it('recovers the FWHM of a Gaussian blur from unpaired data, and follows a wider one', () => {
    const sharp = sharpStacks();
    const narrow = fitPsfFromSpectra(
      [1, 2].map((s) => blurredStack(s, 0.3, 0.75, 1000)),
      sharp,
    );
    const wide = fitPsfFromSpectra(
      [1, 2].map((s) => blurredStack(s, 0.42, 1.05, 1000)),
      sharp,
    );
    expect(narrow.unit).toBe('µm');
    expect(narrow.fwhm.xy / 0.3).toBeGreaterThan(0.9);
    expect(narrow.fwhm.xy / 0.3).toBeLessThan(1.1);
    expect(narrow.fwhm.z / 0.75).toBeGreaterThan(0.85);
    expect(narrow.fwhm.z / 0.75).toBeLessThan(1.15);
    expect(wide.fwhm.xy / 0.42).toBeGreaterThan(0.9);
    expect(wide.fwhm.xy / 0.42).toBeLessThan(1.1);
    expect(wide.fwhm.z / 1.05).toBeGreaterThan(0.85);
    expect(wide.fwhm.z / 1.05).toBeLessThan(1.15);
    // The truth widened by 40 %: the estimate moves by most of that (a start that stays put would give 0).
    expect((wide.fwhm.xy - narrow.fwhm.xy) / (0.42 - 0.3)).toBeGreaterThan(0.7);
    expect((wide.fwhm.z - narrow.fwhm.z) / (1.05 - 0.75)).toBeGreaterThan(0.6);
    // Consistent outputs: voxels, σ and the physical FWHM describe one Gaussian; the noise floor is the
    // Poisson variance of the flat background and dim signal (≥ 10 photons² per frequency after the taper's normalisation).
    expect(narrow.fwhmVoxels[1] * VOXEL.x).toBeCloseTo(narrow.fwhm.xy, 10);
    expect(narrow.sigmaVoxels[0] * K * VOXEL.z).toBeCloseTo(narrow.fwhm.z, 10);
    expect(narrow.noise).toBeGreaterThan(10);
    expect(narrow.noise).toBeLessThan(40);
    expect(narrow.scale).toBeGreaterThan(0);
    expect(narrow.atRangeEnd).toEqual({ xy: false, z: false });
    // Averaged over blocks (as whole microscope stacks are): 2×2 lateral blocks of 24×32×32 per stack, same answer.
    const blocked = fitPsfFromSpectra(
      [1, 2].map((s) => blurredStack(s, 0.3, 0.75, 1000)),
      sharp,
      { maxBlock: [24, 32, 32] },
    );
    expect(blocked.fwhm.xy / 0.3).toBeGreaterThan(0.9);
    expect(blocked.fwhm.xy / 0.3).toBeLessThan(1.1);
    expect(blocked.fwhm.z / 0.75).toBeGreaterThan(0.85);
    expect(blocked.fwhm.z / 0.75).toBeLessThan(1.15);
    // No blur between the domains (sharp structures on both sides): the width runs to the range's lower end,
    // and the fit says so.
    const none = fitPsfFromSpectra([makeVolume(structures(5), SHAPE, { ...VOXEL }, 'synthetic')], sharp);
    expect(none.atRangeEnd).toEqual({ xy: true, z: true });
    expect(none.fwhmVoxels[1]).toBeCloseTo(0.8, 3);
  });

  it('estimates the widefield Born–Wolf width within 20 % at 2000 photons (the benchmark optics)', () => {
    const synth = (seed: number) => synthesize({ ...DEFAULT_SYNTH, photons: 2000, seed, shape: [32, 64, 64] });
    const sets = [101, 102, 103].map(synth);
    const fit = fitPsfFromSpectra(
      sets.map((s) => s.blurred),
      sets.map((s) => s.sharp),
    );
    // Born–Wolf, NA 1.2, 520 nm, water: 0.224 µm lateral and 0.838 µm axial FWHM (bench:science's truth).
    expect(Math.abs(fit.fwhm.xy / 0.224 - 1)).toBeLessThan(0.2);
    expect(Math.abs(fit.fwhm.z / 0.838 - 1)).toBeLessThan(0.2);
  });

  it('refuses what it cannot fit, with typed errors', () => {
    const sharp = sharpStacks();
    const tiny = makeVolume(new Float32Array(4 * 64 * 64), [4, 64, 64], { ...VOXEL }, 'synthetic');
    expect(() => fitPsfFromSpectra([tiny], sharp)).toThrow(/at least 8 voxels per axis/);
    expect(() => fitPsfFromSpectra([], sharp)).toThrow(CycleDeconError);
    const nan = blurredStack(1, 0.3, 0.75, 100);
    nan.data[5] = Number.NaN;
    expect(() => fitPsfFromSpectra([nan], sharp)).toThrow(/non-finite/);
    const nm = makeVolume(structures(3), SHAPE, { x: 100, y: 100, z: 250, unit: 'nm' }, 'synthetic');
    expect(() => fitPsfFromSpectra([blurredStack(1, 0.3, 0.75, 100)], [nm])).toThrow(/different units/);
    const rect = makeVolume(structures(3), SHAPE, { x: 0.1, y: 0.2, z: 0.25, unit: 'µm' }, 'synthetic');
    expect(() => fitPsfFromSpectra([rect], sharp)).toThrow(/square pixels/);
    expect(() => fitPsfFromSpectra([blurredStack(1, 0.3, 0.75, 100)], sharp, { lateralRange: [5, 2] })).toThrow(
      /not a valid range/,
    );
  });
});
