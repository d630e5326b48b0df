// Seeded synthetic acquisitions: ground truth → blur with a PSF → background, Poisson shot noise,
// Gaussian read noise; plus an unmatched sharp volume (other random structures) for domain B.
import { InvalidParameterError } from '../errors';
import { makeVolume, type Volume } from '../io/volume';
import { convolveArray } from '../deconv/convolve';
import { generatePsf, type PsfParams } from '../psf/generate';
import { createRng } from './random';
import { groundTruth, type StructureCounts } from './structures';

export { createRng } from './random';
export type { Rng } from './random';

export interface SynthParams {
  seed: number;
  /** [z, y, x] of the volumes. */
  shape: [number, number, number];
  /** Photons at the brightest ground-truth voxel (before blur). Lower = noisier. */
  photons: number;
  /** Background photons per voxel. */
  background: number;
  /** Standard deviation of the Gaussian read noise, in photons. */
  readNoise: number;
  counts: StructureCounts;
  /** PSF model parameters; size defaults to ≤ 31 voxels per axis (odd). */
  psf: Omit<PsfParams, 'size'> & { size?: [number, number, number] };
}

export interface SynthResult {
  blurred: Volume;
  groundTruth: Volume;
  /** Different random structures from the same generator: the unmatched sharp domain. */
  sharp: Volume;
  psf: Volume;
  params: SynthParams;
}

export const DEFAULT_SYNTH: SynthParams = {
  seed: 1,
  shape: [32, 64, 64],
  photons: 200,
  background: 10,
  readNoise: 2,
  counts: { filaments: 12, beads: 20, nuclei: 2 },
  psf: { model: 'born-wolf', na: 1.2, wavelength: 0.52, ni: 1.33, ns: 1.33, dxy: 0.1, dz: 0.25 },
};

function oddAtMost(n: number, cap: number): number {
  const m = Math.min(n, cap);
  return m % 2 === 1 ? m : m - 1;
}

export function synthesize(p: SynthParams): SynthResult {
  for (const n of p.shape)
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidParameterError('shape', `must be positive integers, got ${p.shape.join(',')}`);
  if (!(p.photons > 0)) throw new InvalidParameterError('photons', `must be > 0, got ${p.photons}`);
  if (!(p.background >= 0) || !(p.readNoise >= 0))
    throw new InvalidParameterError('background/read-noise', 'must be ≥ 0');
  const size = p.psf.size ?? [oddAtMost(p.shape[0], 31), oddAtMost(p.shape[1], 31), oddAtMost(p.shape[2], 31)];
  const psf = generatePsf({ ...p.psf, size });
  const voxel = { x: p.psf.dxy, y: p.psf.dxy, z: p.psf.dz, unit: 'µm' };
  const aspect = p.psf.dz / p.psf.dxy;
  const gt = groundTruth(p.shape, p.counts, createRng(p.seed), aspect);
  const sharp = groundTruth(p.shape, p.counts, createRng(p.seed ^ 0x9e3779b9), aspect);
  const clean = convolveArray(gt, p.shape, psf.data, psf.shape);
  const noise = createRng(p.seed + 0x51ed);
  const blurred = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) {
    blurred[i] = noise.poisson(Math.max(0, clean[i]!) * p.photons + p.background) + p.readNoise * noise.normal();
  }
  const vol = (d: Float32Array, what: string) => {
    const v = makeVolume(d, p.shape, voxel, 'synthetic');
    v.metadata.intensityScale = what;
    v.metadata.extra = { synthSeed: String(p.seed) };
    return v;
  };
  return {
    blurred: vol(blurred, 'photons (Poisson + read noise)'),
    groundTruth: vol(gt, 'ground truth [0,1]'),
    sharp: vol(sharp, 'unmatched ground truth [0,1]'),
    psf,
    params: p,
  };
}
