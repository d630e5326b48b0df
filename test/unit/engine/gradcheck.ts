// Finite-difference gradient check for tfjs functions, robust to float32: the scalar probed is
// L(x) = Σ f(x)_i · r_i with a fixed random r, and L is accumulated in float64 in JS, so only the
// op's own float32 rounding enters the central difference (L(x+ε) − L(x−ε)) / 2ε.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../helpers';

export { mulberry32 } from '../../helpers';

/** A well-scaled random tensor (uniform in [−1, 1]) from a seed. */
export function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rnd = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => 2 * rnd() - 1),
    shape,
  );
}

export interface GradCheckResult {
  /** max over probed entries of |analytic − numeric|, divided by max |analytic| over those entries. */
  relError: number;
  probed: number;
  maxAbsGrad: number;
}

/**
 * Check d/dx_k of Σ f(xs)·r for every input k at `samples` random entries each.
 * `f` must not keep tensors alive; inputs are not disposed.
 */
export function gradCheck(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  opts: { eps?: number; samples?: number | 'all'; seed?: number } = {},
): GradCheckResult {
  const eps = opts.eps ?? 1e-2;
  const rnd = mulberry32(opts.seed ?? 7);
  const outShape = tf.tidy(() => f(...inputs).shape);
  const r = randomTensor(outShape, (opts.seed ?? 7) + 1);
  const rv = r.dataSync();
  const loss = (xs: tf.Tensor[]): number => {
    const y = tf.tidy(() => f(...xs));
    const yv = y.dataSync();
    y.dispose();
    let s = 0;
    for (let i = 0; i < yv.length; i++) s += yv[i]! * rv[i]!;
    return s;
  };
  const grads = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), r)))(inputs));
  let worst = 0;
  let maxAbs = 0;
  let probed = 0;
  inputs.forEach((input, k) => {
    const base = input.dataSync().slice();
    const g = grads[k]!.dataSync();
    const errs: number[] = [];
    const all = opts.samples === 'all';
    const n = all ? base.length : ((opts.samples ?? 10) as number);
    for (let s = 0; s < n; s++) {
      const idx = all ? s : Math.floor(rnd() * base.length);
      const at = (delta: number): number => {
        const v = base.slice();
        v[idx]! += delta;
        const xk = tf.tensor(v, input.shape);
        const xs = inputs.map((x, j) => (j === k ? xk : x));
        const l = loss(xs);
        xk.dispose();
        return l;
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      errs.push(Math.abs(numeric - g[idx]!));
      maxAbs = Math.max(maxAbs, Math.abs(g[idx]!));
      probed++;
    }
    worst = Math.max(worst, ...errs);
  });
  tf.dispose([r, ...grads]);
  return { relError: worst / Math.max(maxAbs, 1e-6), probed, maxAbsGrad: maxAbs };
}
