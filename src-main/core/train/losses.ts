// The paper's loss terms (Eq. 2–5): LSGAN adversarial terms summed over the multi-scale PatchGANs,
// the L1 cycle loss, and the L1 norm of the PSF. Means are over voxels (CycleGAN's convention).
import * as tf from '@tensorflow/tfjs';
import { crop3d } from '../nn/ops';
import type { Module } from '../nn/models';
import type { Rng } from './rng';

/** Where each discriminator's crop starts (z, y, x) and its edge, for one step. */
export interface Crop {
  start: [number, number, number];
  size: number;
}

/** Random (seeded) crops for the scales: 1 → the full patch; 0.5 → a random half-size crop; … */
export function drawCrops(rng: Rng, patch: number, scales: readonly number[]): Crop[] {
  return scales.map((s) => {
    const size = Math.max(1, Math.round(patch * s));
    const start = [0, 1, 2].map(() => (size >= patch ? 0 : rng.int(patch - size + 1))) as [number, number, number];
    return { start, size };
  });
}

export function applyCrop(x: tf.Tensor5D, c: Crop): tf.Tensor5D {
  if (c.size === x.shape[1] && c.start.every((s) => s === 0)) return x;
  return crop3d(x, c.start, [c.size, c.size, c.size]);
}

/** Generator's LSGAN term: Σ_i mean((D_i(crop_i(fake)) − 1)²). */
export function lsganGenerator(ds: Module[], fake: tf.Tensor5D, crops: Crop[]): tf.Scalar {
  return tf.tidy(
    () => tf.addN(ds.map((d, i) => tf.mean(tf.square(tf.sub(d.apply(applyCrop(fake, crops[i]!)), 1))))) as tf.Scalar,
  );
}

/** Discriminators' LSGAN term: Σ_i ½[mean((D_i(real) − 1)²) + mean(D_i(fake)²)]. */
export function lsganDiscriminator(ds: Module[], real: tf.Tensor5D, fake: tf.Tensor5D, crops: Crop[]): tf.Scalar {
  return tf.tidy(
    () =>
      tf.addN(
        ds.map((d, i) => {
          const r = tf.mean(tf.square(tf.sub(d.apply(applyCrop(real, crops[i]!)), 1)));
          const f = tf.mean(tf.square(d.apply(applyCrop(fake, crops[i]!))));
          return tf.mul(tf.add(r, f), 0.5);
        }),
      ) as tf.Scalar,
  );
}

export function l1(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b))) as tf.Scalar);
}

/** Identity whose gradient is zero: what flows through it does not train what produced it. */
const stopGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor),
}));
export const detach = <T extends tf.Tensor>(x: T): T => stopGradient(x) as T;
