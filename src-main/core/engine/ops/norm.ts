// Instance normalisation (Ulyanov et al.) for NDHWC volumes: statistics per sample and per channel over z, y, x.
import * as tf from '@tensorflow/tfjs';

export interface InstanceNormOptions {
  /** Added to the variance (PyTorch's InstanceNorm3d default). */
  eps?: number;
  /** Optional affine parameters, one per channel. */
  gamma?: tf.Tensor1D;
  beta?: tf.Tensor1D;
}

export const INSTANCE_NORM_EPS = 1e-5;

/**
 * A per-channel vector as [1, 1, 1, 1, C]. tfjs-webgpu 4.22 compiles an invalid shader ("cannot index type
 * 'vec5'") for a binary op between a rank-5 tensor and a rank-1 tensor of fewer than 128 elements, so
 * per-channel operands must always be reshaped to rank 5 first.
 */
export function channelwise(v: tf.Tensor): tf.Tensor5D {
  return tf.reshape(v, [1, 1, 1, 1, -1]);
}

/** x + bias per channel (bias [C]), safe on every backend. */
export function addBias(x: tf.Tensor5D, bias: tf.Tensor): tf.Tensor5D {
  return tf.add(x, channelwise(bias));
}

/** y = (x − mean) / sqrt(var + eps) · gamma + beta, with the biased variance, as torch.nn.InstanceNorm3d. */
export function instanceNorm3d(x: tf.Tensor5D, opts: InstanceNormOptions = {}): tf.Tensor5D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2, 3], true);
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, opts.eps ?? INSTANCE_NORM_EPS)));
    // Per-channel parameters broadcast as rank 5: see channelwise() for why never rank 1.
    if (opts.gamma) y = tf.mul(y, channelwise(opts.gamma));
    if (opts.beta) y = tf.add(y, channelwise(opts.beta));
    return y as tf.Tensor5D;
  });
}
