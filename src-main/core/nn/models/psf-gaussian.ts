// Beyond the paper (config psf.model 'gaussian'): G_BA as a PARAMETRIC PSF, a separable 3D Gaussian with two
// learned widths, σ_lateral (shared by x and y) and σ_axial, in voxels:
//   K = g_z ⊗ g_y ⊗ g_x,  g_a[i] ∝ exp(−(i − c_a)² / 2σ_a²),  each profile normalised to sum 1,  c_a = floor(k_a/2),
// on the layer's box, with σ = exp(s) for the two variables s = G_BA/psf_logsigma. The kernel is non-negative,
// sums to one and is centred on the layer's zero-shift voxel by construction (project() has nothing to do), and
// it cannot grow the flat pedestal or the degenerate shapes that a free 11³ kernel (1331 weights) reached under
// the cycle terms (docs/decisions/0003-gaussian-psf-layer-held-by-spectral-term.md). It is the model the blind spectral fit (core/psf/spectral-fit.ts) assumes, so
// with loss.lambdaSpectral the term constrains exactly its two numbers.
//
// Applied as three 1-D convolutions with the same reflect padding as the free layer (psf-layer.ts): reflect
// padding and convolution along different axes commute, so this equals the free layer holding K (tested).
// experimental.psfConvolution is ignored (the separable form is already cheap).
import * as tf from '@tensorflow/tfjs';
import { InvalidParameterError } from '../../errors';
import { conv3d, reflectPad3d, samePads } from '../ops';
import type { PsfModule } from './types';

/** The widths' log moves at this multiple of the optimiser's learning rate (O(1) numbers; 2e-4 per step would need thousands of steps to change a width by 50 %). */
export const GAUSSIAN_PSF_LR_SCALE = 25;

export interface GaussianPsfOptions {
  shape: [number, number, number];
  /** Initial widths in voxels, [z, y, x] (y and x are combined by their geometric mean) or one number. */
  sigma: number | [number, number, number];
  name: string;
}

/** A 1-D Gaussian profile of length n centred at floor(n/2), sum 1, σ = exp(logSigma); differentiable in logSigma. */
export function gaussianProfile(logSigma: tf.Tensor, n: number): tf.Tensor1D {
  return tf.tidy(() => {
    const t = tf.sub(tf.range(0, n), Math.floor(n / 2));
    const g = tf.exp(tf.div(tf.neg(tf.square(t)), tf.mul(2, tf.square(tf.exp(logSigma)))));
    return tf.div(g, tf.sum(g)) as tf.Tensor1D;
  });
}

export function buildGaussianPsfLayer(opts: GaussianPsfOptions): PsfModule {
  const { shape, name } = opts;
  const s = typeof opts.sigma === 'number' ? [opts.sigma, opts.sigma, opts.sigma] : opts.sigma;
  if (s.some((v) => !(v > 0) || !Number.isFinite(v)))
    throw new InvalidParameterError('psf sigma', `${s.join(', ')} must be positive widths in voxels`);
  const start = tf.tensor1d([Math.log(Math.sqrt(s[1]! * s[2]!)), Math.log(s[0]!)]);
  const logSigma = tf.variable(start, true, `${name}/psf_logsigma`);
  start.dispose(); // the variable keeps its own copy
  const pads = samePads(shape);
  const profiles = (): [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D] => {
    const lateral = tf.slice(logSigma, [0], [1]);
    const axial = tf.slice(logSigma, [1], [1]);
    return [gaussianProfile(axial, shape[0]), gaussianProfile(lateral, shape[1]), gaussianProfile(lateral, shape[2])];
  };
  const along = (x: tf.Tensor5D, g: tf.Tensor1D, axis: number): tf.Tensor5D => {
    const p = [
      [0, 0],
      [0, 0],
      [0, 0],
    ] as [number, number][];
    p[axis] = pads[axis]!;
    const kShape = [1, 1, 1, 1, 1] as [number, number, number, number, number];
    kShape[axis] = shape[axis]!;
    // A true convolution, like the free layer: the profile is flipped before tfjs' cross-correlation.
    return conv3d(
      reflectPad3d(x, p as [[number, number], [number, number], [number, number]]),
      tf.reshape(tf.reverse(g), kShape) as tf.Tensor5D,
      1,
      'valid',
    );
  };
  const psf = (): tf.Tensor3D =>
    tf.tidy(() => {
      const [gz, gy, gx] = profiles();
      return tf.mul(
        tf.mul(tf.reshape(gz, [-1, 1, 1]), tf.reshape(gy, [1, -1, 1])),
        tf.reshape(gx, [1, 1, -1]),
      ) as tf.Tensor3D;
    });
  return {
    name,
    variables: () => [logSigma],
    lrScales: () => ({ [logSigma.name]: GAUSSIAN_PSF_LR_SCALE }),
    apply: (x) =>
      tf.tidy(() => {
        const [gz, gy, gx] = profiles();
        return along(along(along(x, gz, 0), gy, 1), gx, 2);
      }),
    psf,
    project: () => undefined, // non-negative, sum one and centred by construction
    // ‖K‖₁ = Σ K = 1 for every width: the λ2 regulariser is a constant here (computed, not assumed).
    l1: () => tf.tidy(() => tf.sum(psf()) as tf.Scalar),
  };
}

/** The parametric layer's current widths in voxels (lateral, axial), for reports; null for a free kernel. */
export function gaussianPsfParams(m: PsfModule): { sigmaLateral: number; sigmaAxial: number } | null {
  const v = m.variables().find((x) => x.name.endsWith('/psf_logsigma'));
  if (!v) return null;
  const [a, b] = v.dataSync();
  return { sigmaLateral: Math.exp(a!), sigmaAxial: Math.exp(b!) };
}
