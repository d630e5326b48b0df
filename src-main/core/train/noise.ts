// Beyond the paper: a noise model for the synthetic blurred volumes. G_BA(b) = PSF ⊛ b is noise-free, while real
// widefield stacks carry shot and read noise, so D_A can tell real from synthetic by the noise alone, and the PSF
// gets a gradient that says little about blur. With `fakeNoise: 'estimated'`, the synthetic volume gets
// Poisson–Gaussian noise whose level is estimated from the real blurred patch of the same step:
//   var(x) = α·x + β   (α: shot noise, β: read noise and background; on the network scale),
// fitted from the residual of each voxel against its 6 neighbours, binned by the local mean, with robust
// (MAD) variances per bin — a simplified Foi et al. (2008) estimator. Residuals at structure edges are
// outliers to the MAD; the blurred data are smooth enough that the residual is mostly noise.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng';

export interface NoiseModel {
  alpha: number;
  beta: number;
}

const BINS = 12;
/** var(x − mean of 6 neighbours) = σ²(1 + 1/6) for independent noise of variance σ². */
const RESIDUAL_GAIN = 7 / 6;

function median(v: Float64Array): number {
  const s = Float64Array.from(v).sort();
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
}

/**
 * Fit var = α·mean + β on a cube of edge n (z, y, x order). α and β are clamped to ≥ 0; a flat or tiny input
 * gives { 0, 0 } (no noise is added then).
 */
export function estimateNoise(data: Float32Array, n: number): NoiseModel {
  if (n < 3) return { alpha: 0, beta: 0 };
  const m = n - 2;
  const count = m * m * m;
  const mean = new Float64Array(count);
  const res = new Float64Array(count);
  const s1 = n,
    s2 = n * n;
  let k = 0;
  for (let z = 1; z < n - 1; z++) {
    for (let y = 1; y < n - 1; y++) {
      for (let x = 1; x < n - 1; x++, k++) {
        const i = z * s2 + y * s1 + x;
        const nb = data[i - 1]! + data[i + 1]! + data[i - s1]! + data[i + s1]! + data[i - s2]! + data[i + s2]!;
        const c = data[i]!;
        res[k] = c - nb / 6;
        mean[k] = (c + nb) / 7;
      }
    }
  }
  // Bins of equal count over the local mean (on at most ~64k voxels: a 64³ patch is strided).
  const stride = Math.max(1, Math.floor(count / 65_536));
  const order = Array.from({ length: Math.ceil(count / stride) }, (_, i) => i * stride).sort(
    (p, q) => mean[p]! - mean[q]!,
  );
  const xs: number[] = [],
    ys: number[] = [];
  const per = Math.floor(order.length / BINS);
  if (per < 16) return { alpha: 0, beta: 0 };
  for (let b = 0; b < BINS; b++) {
    const idx = order.slice(b * per, (b + 1) * per);
    const r = Float64Array.from(idx, (i) => res[i]!);
    const med = median(r);
    const mad = median(r.map((v) => Math.abs(v - med)));
    xs.push(idx.reduce((a, i) => a + mean[i]!, 0) / idx.length);
    ys.push((1.4826 * mad) ** 2 / RESIDUAL_GAIN);
  }
  // Least squares line through the bins, then clamp to a physical (non-negative) model.
  const mx = xs.reduce((a, v) => a + v, 0) / BINS,
    my = ys.reduce((a, v) => a + v, 0) / BINS;
  let sxx = 0,
    sxy = 0;
  for (let b = 0; b < BINS; b++) {
    sxx += (xs[b]! - mx) ** 2;
    sxy += (xs[b]! - mx) * (ys[b]! - my);
  }
  let alpha = sxx > 0 ? sxy / sxx : 0;
  let beta = my - alpha * mx;
  if (alpha < 0) {
    alpha = 0;
    beta = my;
  }
  if (beta < 0) {
    // Refit through the origin: var = α·mean.
    const sx2 = xs.reduce((a, v) => a + v * v, 0);
    alpha = sx2 > 0 ? xs.reduce((a, v, b) => a + v * ys[b]!, 0) / sx2 : 0;
    beta = 0;
  }
  return { alpha: Math.max(0, alpha), beta: Math.max(0, beta) };
}

/** Standard normal draws from the training RNG (so a resumed run draws the same noise). */
export function normals(rng: Rng, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.normal();
  return out;
}

/** Identity forward, zero gradient: the noise level follows the synthetic volume but is not trained through. */
const stopGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: x.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as (x: tf.Tensor) => tf.Tensor;

/** x + sqrt(max(α·x + β, 0))·ε, with ε given (same shape as x); the gradient flows through x, not the noise level. */
export function addNoise(x: tf.Tensor5D, model: NoiseModel, eps: tf.Tensor5D): tf.Tensor5D {
  return tf.tidy(() => {
    const level = tf.sqrt(tf.relu(tf.add(tf.mul(stopGradient(x), model.alpha), model.beta)));
    return tf.add(x, tf.mul(level, eps)) as tf.Tensor5D;
  });
}
