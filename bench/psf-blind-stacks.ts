// The data of the blind PSF benches (psf-blind-rl.ts, psf-blind-figure.ts): per true PSF × photons × seed, two
// blurred stacks (random structures, core/synth, blurred by the truth, Poisson over a background of 10) and two
// unmatched sharp stacks of the same kind; the first blurred stack's object is the RL benchmark's ground truth.
import { makeVolume, type Shape3 } from '../src-main/core/io/volume';
import { convolveArray } from '../src-main/core/deconv/convolve';
import { createRng } from '../src-main/core/synth/index';
import { groundTruth } from '../src-main/core/synth/structures';
import type { BlindTruth } from './psf-blind-truths';

export const BLIND_SHAPE: Shape3 = [32, 64, 64];
export const BLIND_BACKGROUND = 10;
const COUNTS = { filaments: 12, beads: 20, nuclei: 2 };

export function blindStacks(t: BlindTruth, photons: number, seed: number) {
  const vs = t.psf.voxelSize,
    aspect = vs.z / vs.x;
  const noise = createRng(seed + 0x51ed);
  const vol = (d: Float32Array) => makeVolume(d, BLIND_SHAPE, { ...vs }, 'synthetic');
  const objects = [0, 1].map((k) => groundTruth(BLIND_SHAPE, COUNTS, createRng(seed * 10 + k), aspect));
  const blurred = objects.map((gt) => {
    const clean = convolveArray(gt, BLIND_SHAPE, t.psf.data, t.psf.shape);
    let peak = 0;
    for (const v of gt) peak = Math.max(peak, v);
    return vol(Float32Array.from(clean, (v) => noise.poisson((Math.max(0, v) / peak) * photons + BLIND_BACKGROUND)));
  });
  const sharp = [0, 1].map((k) => vol(groundTruth(BLIND_SHAPE, COUNTS, createRng(seed * 10 + 5 + k), aspect)));
  return { object: vol(objects[0]!), blurred, sharp };
}
