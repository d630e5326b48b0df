// The data of `npm run bench:science` (and of the diagnostics beside it): DEFAULT_SYNTH's optics and noise (NA 1.2
// water, 520 nm, 0.1 × 0.1 × 0.25 µm voxels, background 10, read noise 2) at BENCH_PHOTONS; seeds fixed here and
// never tuned on the results.
import { makeVolume, type Shape3, type Volume } from '../src-main/core/io/volume';
import { cropBox } from '../src-main/core/deconv/grid';
import { DEFAULT_SYNTH, synthesize, type SynthParams } from '../src-main/core/synth/index';

export const TRAIN_SHAPE: Shape3 = [32, 96, 96];
export const TEST_SHAPE: Shape3 = [32, 64, 64];
export const SEEDS = { train: [101, 102], sharp: [301, 302], test: 201 };
/**
 * Photons at the brightest voxel. 2000 since session 12 (200 before): a widefield camera stack of labelled
 * structures typically peaks at thousands of photoelectrons; 200 is very low light, where the unmatched data no
 * longer determine the PSF width (docs/notes/2026-12-04-psf-identifiability-spectral-fit.md). `--photons 200` reruns it.
 */
export const BENCH_PHOTONS = 2000;

export interface BenchDataOptions {
  photons?: number;
  /** The true PSF's box (odd, voxels per axis); default DEFAULT_SYNTH's 31. */
  psfBox?: number;
  /** Other optics for the true PSF (experiments: does the learned PSF follow the truth?). */
  na?: number;
  wavelength?: number;
}

export function benchData(o: BenchDataOptions = {}): {
  trainSets: ReturnType<typeof synthesize>[];
  sharpSets: Volume[];
  test: ReturnType<typeof synthesize>;
} {
  const synth = (seed: number, shape: Shape3) =>
    synthesize({
      ...DEFAULT_SYNTH,
      photons: o.photons ?? BENCH_PHOTONS,
      seed,
      shape,
      psf: {
        ...DEFAULT_SYNTH.psf,
        ...(o.psfBox ? { size: [o.psfBox, o.psfBox, o.psfBox] } : {}),
        ...(o.na ? { na: o.na } : {}),
        ...(o.wavelength ? { wavelength: o.wavelength } : {}),
      },
    } satisfies SynthParams);
  return {
    trainSets: SEEDS.train.map((s) => synth(s, TRAIN_SHAPE)),
    sharpSets: SEEDS.sharp.map((s) => synth(s, TRAIN_SHAPE).sharp), // other structures, never blurred
    test: synth(SEEDS.test, TEST_SHAPE),
  };
}

/** A PSF cropped (centred) to a smaller box and renormalised: the truth as far as a kernel of that box can hold it. */
export function cropPsf(p: Volume, box: Shape3): Volume {
  const offset = box.map((b, i) => Math.floor(p.shape[i]! / 2) - Math.floor(b / 2)) as Shape3;
  const out = cropBox(p.data, p.shape, offset, box);
  const sum = out.reduce((s, v) => s + v, 0);
  return makeVolume(
    out.map((v) => v / sum),
    box,
    { ...p.voxelSize },
    'computed',
  );
}
