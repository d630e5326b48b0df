// The blind pupil PSF estimate as a product (`cycledecon psf-fit --model pupil`, issue #24): the pupil model
// (core/psf/pupil.ts) with the known optics and the stacks' voxel size, its symmetric unknowns (z0, emitter depth,
// apodisation, Z11) fitted to the power spectra of blurred and unpaired sharp stacks by the pupil layer's spectral
// start (pupil-init.ts); no network is trained. The PSF is written on a box tall enough to hold the spherical
// aberration's axial tail (docs/notes/2026-12-06-blind-pupil-rl.md: fitted on the trainer's 11³ box the axial
// width came out ~29 % short, the truncated tails being traded for depth and apodisation).
import * as tf from '@tensorflow/tfjs';
import { InvalidParameterError } from '../errors';
import { makeVolume, type Shape3, type Volume } from '../io/volume';
import { buildPupilPsfLayer, PUPIL_LAYER_PARAMS, PUPIL_PARAM_UNITS, pupilPsfParams } from '../nn/models/psf-pupil';
import { spectralData } from '../psf/binned-spectrum';
import { PUPIL_SPECTRAL_FIT } from './pupil-init';
import { disposeSpectralTarget, spectralLoss, spectralTarget } from './spectral-loss';
import { voxelSizeMicrons } from './theory';

export interface BlindPupilOptics {
  na: number;
  /** Emission wavelength, µm. */
  wavelength: number;
  ni: number;
  ns: number;
}

export interface BlindPupilOptions {
  /** The fit's box [z, y, x], odd (default: blindPupilBox of the optics and voxel size). */
  box?: Shape3;
  /** The written PSF's box, odd (default: blindPupilOutputBox of the stacks). */
  outputBox?: Shape3;
  /** Default: 'depth' when ni ≠ ns, else 'symmetric'. */
  aberrations?: 'symmetric' | 'all' | 'depth';
  iterations?: number;
  /** Lateral sub-samples per pixel of the pupil model (pupil.ts; default 2: the camera's pixel integration). */
  oversampling?: number;
  /**
   * 'positive' (default) keeps the apodisation ≥ 0 (a pupil no brighter at its rim than uniform); 'zero' holds it
   * at 0; 'free' lets it go negative, which the spectra favour and which shortens the axial width (the note).
   */
  apodisation?: 'positive' | 'zero' | 'free';
  /** Model the Hann taper's leakage along k_z in the spectral term (spectral-loss.ts); default false (no gain measured). */
  taperLeakage?: boolean;
}

export interface BlindPupilFit {
  psf: Volume;
  /** z0 and depth µm, apodisation, Z5…Z11 radians rms. */
  params: Record<string, number>;
  /** The spectral term (Whittle deviance per frequency) at the start and at the fit. */
  spectral: { before: number; after: number };
  box: Shape3;
  iterations: number;
  aberrations: 'symmetric' | 'all' | 'depth';
}

/** Start depth (µm) of the blind fit, away from the mirror saddle at 0; Adam iterations. */
const START_DEPTH = 3;
const BLIND_ITERATIONS = 100;

const odd = (v: number) => 2 * Math.ceil(v / 2) + 1;

/**
 * Default box: axially ±4 depths of focus (n·λ/NA²; the aberrated PSF's tail), laterally ±3 Airy radii, at most
 * 41 × 25 × 25 voxels and never beyond the stacks (the spectral term samples the kernel's DFT on their grid).
 */
export function blindPupilBox(o: BlindPupilOptics, vox: { dxy: number; dz: number }, stack: Shape3): Shape3 {
  const dof = (o.ni * o.wavelength) / (o.na * o.na),
    airy = (0.61 * o.wavelength) / o.na;
  const want: Shape3 = [odd((8 * dof) / vox.dz), odd((6 * airy) / vox.dxy), odd((6 * airy) / vox.dxy)];
  const cap: Shape3 = [41, 25, 25];
  return want.map((k, a) => {
    const limit = stack[a]! % 2 === 1 ? stack[a]! : stack[a]! - 1;
    return Math.max(3, Math.min(k, cap[a]!, limit));
  }) as Shape3;
}

/** Default box of the written PSF: 31 voxels per axis (41 axially), never beyond the stacks (odd). */
export function blindPupilOutputBox(stack: Shape3): Shape3 {
  return stack.map((n, a) => Math.max(3, Math.min(a === 0 ? 41 : 31, n % 2 === 1 ? n : n - 1))) as Shape3;
}

let fits = 0;

/** Axial position of the PSF's peak relative to the box centre, in voxels (parabola through the peak plane's neighbours). */
export function axialPeakOffset(psf: Float32Array, box: Shape3): number {
  let best = 0;
  for (let i = 1; i < psf.length; i++) if (psf[i]! > psf[best]!) best = i;
  const plane = box[1] * box[2],
    z = Math.floor(best / plane),
    at = (k: number) => psf[k * plane + (best % plane)]!;
  let frac = 0;
  if (z > 0 && z < box[0] - 1) {
    const [a, b, c] = [at(z - 1), at(z), at(z + 1)],
      den = a - 2 * b + c;
    if (den < 0) frac = (0.5 * (a - c)) / den;
  }
  return z + frac - Math.floor(box[0] / 2);
}

export function fitBlindPupil(
  blurred: Volume[],
  sharp: Volume[],
  optics: BlindPupilOptics,
  opts: BlindPupilOptions = {},
): BlindPupilFit {
  if (blurred.length === 0 || sharp.length === 0)
    throw new InvalidParameterError('blind pupil fit', 'needs at least one blurred and one sharp stack');
  const vox = voxelSizeMicrons(blurred[0]!); // typed error when the stacks carry no physical voxel size
  const box = opts.box ?? blindPupilBox(optics, vox, blurred[0]!.shape);
  const outBox = opts.outputBox ?? blindPupilOutputBox(blurred[0]!.shape);
  for (const [name, b] of [
    ['box', box],
    ['--size', outBox],
  ] as const)
    if (b.some((k) => !Number.isInteger(k) || k < 3 || k % 2 === 0))
      throw new InvalidParameterError(name, `${b.join(',')} must be odd integers ≥ 3 (the PSF's centre on a voxel)`);
  const data = spectralData(blurred, sharp); // checks the stacks before the pupil bases are computed
  // The power spectra are blind to the PSF's mirror image in z (|OTF|² is even in k_z), so depth and −depth fit
  // alike and depth 0 is a saddle: start at a positive depth and keep it ≥ 0 (the emitter lies below the
  // coverslip). With matched indices depth does nothing, and Z11 (sign undetermined) carries the spherical term.
  const mismatch = Math.abs(optics.ni - optics.ns) > 1e-3;
  const aberrations = opts.aberrations ?? (mismatch ? 'depth' : 'symmetric');
  const start = PUPIL_LAYER_PARAMS.map((n) => (n === 'depth' && mismatch ? START_DEPTH : 0));
  const target = spectralTarget(blurred, sharp, box, data, { taperLeakage: opts.taperLeakage ?? false });
  const iterations = opts.iterations ?? BLIND_ITERATIONS;
  const layer = buildPupilPsfLayer({
    shape: box,
    optics: { ...optics, ...vox, oversampling: opts.oversampling },
    name: `blind_pupil_${fits++}`,
    aberrations,
    start,
  });
  const v = layer.variables()[0]!;
  const depthAt = PUPIL_LAYER_PARAMS.indexOf('depth'),
    z0At = PUPIL_LAYER_PARAMS.indexOf('z0'),
    apodAt = PUPIL_LAYER_PARAMS.indexOf('apodisation');
  const opt = tf.train.adam(PUPIL_SPECTRAL_FIT.lr);
  try {
    const term = () => tf.tidy(() => spectralLoss(layer.psf(), target).dataSync()[0]!);
    const before = term();
    for (let i = 0; i < iterations; i++) {
      opt.minimize(() => spectralLoss(layer.psf(), target), false, layer.variables());
      const x = Array.from(v.dataSync());
      const apodMax = opts.apodisation === 'zero' ? 0 : Infinity,
        apodMin = opts.apodisation === 'free' ? -Infinity : 0;
      const clamped: [number, number] = [Math.max(0, x[depthAt]!), Math.min(apodMax, Math.max(apodMin, x[apodAt]!))];
      if (clamped[0] !== x[depthAt] || clamped[1] !== x[apodAt]) {
        [x[depthAt], x[apodAt]] = clamped;
        tf.tidy(() => v.assign(tf.tensor1d(x)));
      }
    }
    const after = term();
    // z0 is an exact translation (pupil.ts: the phase 2π(z − z0)k_z): move the peak to the box centre.
    const x = Array.from(v.dataSync());
    const shift =
      axialPeakOffset(
        tf.tidy(() => layer.psf().dataSync() as Float32Array),
        box,
      ) * vox.dz;
    x[z0At] = x[z0At]! - shift / PUPIL_PARAM_UNITS[z0At]!;
    tf.tidy(() => v.assign(tf.tensor1d(x)));
    const params = pupilPsfParams(layer)!;
    // The fitted pupil evaluated on the output box: RL needs the whole PSF (note: on the fit's 17³ box a deep
    // emitter's PSF holds only 55–60 % of its light, and RL with the truth cropped so loses 0.08–0.09 SSIM).
    const out = buildPupilPsfLayer({
      shape: outBox,
      optics: { ...optics, ...vox, oversampling: opts.oversampling },
      name: `blind_pupil_${fits++}`,
      start: PUPIL_LAYER_PARAMS.map((n) => params[n]!),
    });
    const kernel = Float32Array.from(tf.tidy(() => out.psf().dataSync() as Float32Array));
    tf.dispose(out.variables());
    return {
      psf: makeVolume(kernel, outBox, { ...blurred[0]!.voxelSize }, 'computed'),
      params,
      spectral: { before, after },
      box,
      iterations,
      aberrations,
    };
  } finally {
    opt.dispose();
    disposeSpectralTarget(target);
    tf.dispose(layer.variables());
  }
}
