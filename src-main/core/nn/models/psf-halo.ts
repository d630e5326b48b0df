// Beyond the paper (config psf.halo): a widefield PSF is a sharp core plus a wide defocus cone. For the
// bench:science PSF (NA 1.2 water, 0.1 × 0.1 × 0.25 µm voxels) only 35 % of the energy lies in an 11³ box, so a
// kernel of the layer's size cannot make the haze a real blurred stack carries, and the discriminator pushes it
// wider to imitate it. The halo adds a wide, smooth component the core does not have to fake:
//   G_BA(x) = (1 − w)·(K ⊛ x) + w·(H ⊛ x),   H = g_z ⊗ g_y ⊗ g_x, separable Gaussians,
// w = sigmoid(ω), σ_xy = exp(s₀), σ_z = exp(s₁) in voxels, all three learned; each g spans ±(layer size) voxels
// and sums to one, so the whole PSF sums to one when K does. Applied as three 1-D convolutions (cheap), with the
// same reflect padding as the core. psf() returns the whole PSF on the halo's box, the core centred in it.
import * as tf from '@tensorflow/tfjs';
import { conv3d, reflectPad3d } from '../ops';
import { gaussianProfile } from './psf-gaussian';
import type { PsfModule } from './types';

/** The halo's variables move at this multiple of the optimiser's learning rate (they are O(1), the core's weights O(1e-3)). */
export const HALO_LR_SCALE = 25;

export interface HaloOptions {
  /** The core's kernel shape [z, y, x]; the halo spans ±shape voxels per axis. */
  shape: [number, number, number];
  name: string;
  /** Initial halo weight w (default 0.5) and widths in voxels (default a quarter of the core's size). */
  weight?: number;
  sigma?: [number, number];
}

export function withHalo(core: PsfModule, opts: HaloOptions): PsfModule {
  const radius = opts.shape;
  const w0 = opts.weight ?? 0.5;
  const s0 = opts.sigma ?? [opts.shape[1] / 4, opts.shape[0] / 4];
  const variable = (values: number[], suffix: string): tf.Variable => {
    const t = tf.tensor1d(values);
    const v = tf.variable(t, true, `${opts.name}/${suffix}`);
    t.dispose(); // the variable keeps its own copy
    return v;
  };
  const logit = variable([Math.log(w0 / (1 - w0))], 'halo_weight');
  const logSigma = variable([Math.log(s0[0]), Math.log(s0[1])], 'halo_logsigma');
  const profiles = (): [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D] => {
    const lateral = tf.slice(logSigma, [0], [1]);
    const axial = tf.slice(logSigma, [1], [1]);
    return [gaussianProfile(axial, 2 * radius[0] + 1), gaussianProfile(lateral, 2 * radius[1] + 1), gaussianProfile(lateral, 2 * radius[2] + 1)];
  };
  const halo = (x: tf.Tensor5D): tf.Tensor5D => {
    const [gz, gy, gx] = profiles();
    let y = conv3d(reflectPad3d(x, [[radius[0], radius[0]], [0, 0], [0, 0]]), tf.reshape(gz, [2 * radius[0] + 1, 1, 1, 1, 1]), 1, 'valid');
    y = conv3d(reflectPad3d(y, [[0, 0], [radius[1], radius[1]], [0, 0]]), tf.reshape(gy, [1, 2 * radius[1] + 1, 1, 1, 1]), 1, 'valid');
    return conv3d(reflectPad3d(y, [[0, 0], [0, 0], [radius[2], radius[2]]]), tf.reshape(gx, [1, 1, 2 * radius[2] + 1, 1, 1]), 1, 'valid');
  };
  return {
    name: core.name,
    variables: () => [...core.variables(), logit, logSigma],
    lrScales: () => ({ [logit.name]: HALO_LR_SCALE, [logSigma.name]: HALO_LR_SCALE }),
    apply: (x) =>
      tf.tidy(() => {
        const w = tf.sigmoid(logit);
        return tf.add(tf.mul(tf.sub(1, w), core.apply(x)), tf.mul(w, halo(x))) as tf.Tensor5D;
      }),
    psf: () =>
      tf.tidy(() => {
        const [gz, gy, gx] = profiles();
        const h = tf.mul(tf.mul(tf.reshape(gz, [-1, 1, 1]), tf.reshape(gy, [1, -1, 1])), tf.reshape(gx, [1, 1, -1]));
        const k = core.psf();
        // The core's zero-shift voxel floor(k/2) goes to the halo box's centre radius = k.
        const pads = k.shape.map((n, i) => [radius[i]! - Math.floor(n / 2), 2 * radius[i]! + 1 - n - (radius[i]! - Math.floor(n / 2))]) as [number, number][];
        const w = tf.sigmoid(logit);
        return tf.add(tf.mul(tf.sub(1, w), tf.pad(k, pads)), tf.mul(w, h)) as tf.Tensor3D;
      }),
    project: () => core.project(),
    l1: () => core.l1(),
  };
}

/** The halo's current weight and widths (voxels), for reports. */
export function haloParams(m: PsfModule): { weight: number; sigmaLateral: number; sigmaAxial: number } | null {
  const v = m.variables();
  const logit = v.find((x) => x.name.endsWith('/halo_weight'));
  const ls = v.find((x) => x.name.endsWith('/halo_logsigma'));
  if (!logit || !ls) return null;
  const [a, b] = ls.dataSync();
  return { weight: 1 / (1 + Math.exp(-logit.dataSync()[0]!)), sigmaLateral: Math.exp(a!), sigmaAxial: Math.exp(b!) };
}
