// psf.init 'spectral' for the pupil layer (psf.model 'pupil'), blind: before training, the layer's learned pupil
// parameters are fitted to the spectral term alone (spectral-loss.ts: the kernel's binned |OTF|² times the sharp
// stacks' power spectrum against the blurred stacks', Whittle deviance), by Adam from the optics' aberration-free
// PSF. The Gaussian layer's start (core/psf/spectral-fit.ts) fits two widths to the same spectra; this fits the
// physical unknowns. On the blind check's data (Gibson–Lanni 6 µm into ns 1.38; bench/psf-pupil-spectral-init.ts,
// symmetric terms) the PSF's NCC with the truth went 0.83 → 0.975 in 50 iterations, depth 0 → 4.0 µm (5.3 at 200).
import * as tf from '@tensorflow/tfjs';
import type { PsfModule } from '../nn/models';
import { spectralLoss, type SpectralTarget } from './spectral-loss';

/** Iterations and Adam step of the fit (the parameters are O(1) in their variable units: radians, tens of µm). */
export const PUPIL_SPECTRAL_FIT = { iterations: 120, lr: 0.05 } as const;

/** Fits the layer's variables to the spectral term in place; returns the term before and after. */
export function fitPupilToSpectra(
  psf: PsfModule,
  target: SpectralTarget,
  o: { iterations: number; lr: number } = PUPIL_SPECTRAL_FIT,
): { before: number; after: number } {
  const opt = tf.train.adam(o.lr);
  const term = () => tf.tidy(() => spectralLoss(psf.psf(), target).dataSync()[0]!);
  const before = term();
  try {
    for (let i = 0; i < o.iterations; i++) opt.minimize(() => spectralLoss(psf.psf(), target), false, psf.variables());
  } finally {
    opt.dispose();
  }
  return { before, after: term() };
}
