// Instance normalisation (Ulyanov et al.) for NDHWC volumes: statistics per sample and per channel over z, y, x.
import * as tf from '@tensorflow/tfjs';
import { cpuNormAvailable, instanceNormCpu, instanceNormFixedCpu, reluCpu } from './norm-cpu';
import { addBiasCpu } from './resample-cpu';
import { getFlag } from '../../flags';

export interface InstanceNormOptions {
  /** Added to the variance (PyTorch's InstanceNorm3d default). */
  eps?: number;
  /** Optional affine parameters, one per channel. */
  gamma?: tf.Tensor1D;
  beta?: tf.Tensor1D;
  /**
   * Stable name of this normalisation layer. Only layers with an id consult the statistics hook
   * (see withNormStats); without a hook the id changes nothing.
   */
  id?: string;
}

/** Per-channel statistics for one layer: tensors of C values (any shape that reshapes to [C]), biased variance. */
export interface NormStats {
  mean: tf.Tensor;
  variance: tf.Tensor;
}

/**
 * Called with a named layer's pre-normalisation input. Returning statistics makes the layer use them instead
 * of the input's own ('fixed' mode, used by tiled inference to apply whole-volume statistics to a tile);
 * returning undefined keeps instance statistics ('compute' mode). It may also throw to stop the forward
 * pass once it has seen the layer it wanted (tf.tidy still frees the pass's tensors).
 */
export type NormStatsHook = (id: string, x: tf.Tensor5D) => NormStats | undefined;

let statsHook: NormStatsHook | undefined;

/**
 * Runs `fn` (synchronous, e.g. a forward pass) with `hook` consulted by every instanceNorm3d that has an id.
 * Not re-entrant across awaits by design: fn is synchronous, so no other forward pass can interleave.
 */
export function withNormStats<T>(hook: NormStatsHook, fn: () => T): T {
  const previous = statsHook;
  statsHook = hook;
  try {
    return fn();
  } finally {
    statsHook = previous;
  }
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

/** max(0, x): typed arrays with a hand-written gradient on CPU backends, tf.relu elsewhere. */
export function relu<T extends tf.Tensor>(x: T): T {
  if (cpuNormAvailable() && getFlag('cpuOps') !== 'tfjs') return reluCpu(x) as T;
  return tf.relu(x);
}

/** x + bias per channel (bias [C]), safe on every backend. */
export function addBias(x: tf.Tensor5D, bias: tf.Tensor): tf.Tensor5D {
  if (cpuNormAvailable() && getFlag('cpuOps') !== 'tfjs') return addBiasCpu(x, bias);
  return tf.add(x, channelwise(bias));
}

/**
 * y = (x − mean) / sqrt(var + eps) · gamma + beta, with the biased variance, as torch.nn.InstanceNorm3d.
 * Statistics are the input's own unless a hook installed by withNormStats supplies them for this layer's id.
 */
export function instanceNorm3d(x: tf.Tensor5D, opts: InstanceNormOptions = {}): tf.Tensor5D {
  return tf.tidy(() => {
    const fixed = opts.id !== undefined && statsHook ? statsHook(opts.id, x) : undefined;
    if (!fixed && cpuNormAvailable() && getFlag('cpuOps') !== 'tfjs') {
      let y = instanceNormCpu(x, opts.eps ?? INSTANCE_NORM_EPS);
      if (opts.gamma) y = tf.mul(y, channelwise(opts.gamma));
      if (opts.beta) y = tf.add(y, channelwise(opts.beta));
      return y;
    }
    if (fixed && cpuNormAvailable() && getFlag('cpuOps') !== 'tfjs') {
      let y = instanceNormFixedCpu(x, fixed.mean.dataSync(), fixed.variance.dataSync(), opts.eps ?? INSTANCE_NORM_EPS);
      if (opts.gamma) y = tf.mul(y, channelwise(opts.gamma));
      if (opts.beta) y = tf.add(y, channelwise(opts.beta));
      return y;
    }
    const { mean, variance } = fixed
      ? { mean: channelwise(fixed.mean), variance: channelwise(fixed.variance) }
      : tf.moments(x, [1, 2, 3], true);
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, opts.eps ?? INSTANCE_NORM_EPS)));
    // Per-channel parameters broadcast as rank 5: see channelwise() for why never rank 1.
    if (opts.gamma) y = tf.mul(y, channelwise(opts.gamma));
    if (opts.beta) y = tf.add(y, channelwise(opts.beta));
    return y as tf.Tensor5D;
  });
}
