// Resampling, padding and cropping of NDHWC volumes, all differentiable on cpu and webgpu.
import * as tf from '@tensorflow/tfjs';
import { InvalidVolumeError } from '../../errors';
import { concatChannelsCpu, cpuTensors, cropCpu, maxPoolCpu, reflectPadCpu, upsampleCpu } from './resample-cpu';
import { getFlag } from '../../flags';

/** Padding before/after on z, y, x. */
export type Pads3 = [[number, number], [number, number], [number, number]];

/**
 * Nearest-neighbour up-sampling ×2 on z, y, x. Built from expandDims + concat + reshape (rank ≤ 6):
 * tf.tile and tf.broadcastTo (which uses Tile) have no working gradient above rank 4 in tfjs 4.22. On backends
 * whose tensors live in CPU memory, a typed-array gather instead (resample-cpu.ts): forward + backward of
 * 16³×8 → 32³×8 took 540–630 ms through the concat chain, 63–73 ms so (tfjs cpu, 2-core box).
 */
export function upsample3d(x: tf.Tensor5D): tf.Tensor5D {
  if (cpuTensors() && getFlag('cpuOps') !== 'tfjs') return upsampleCpu(x);
  return tf.tidy(() => {
    let y: tf.Tensor = x;
    for (const axis of [1, 2, 3]) {
      const shape = y.shape.slice();
      const e = tf.expandDims(y, axis + 1);
      y = tf.reshape(tf.concat([e, e], axis + 1), [
        ...shape.slice(0, axis),
        shape[axis]! * 2,
        ...shape.slice(axis + 1),
      ]);
    }
    return y as tf.Tensor5D;
  });
}

/** Zero-pad `dy` back to `full` shape around a block that started at `begin`, by concatenation. */
function zeroPadByConcat(dy: tf.Tensor, begin: number[], full: number[]): tf.Tensor {
  let g = dy;
  for (let axis = 0; axis < full.length; axis++) {
    const before = begin[axis]!;
    const after = full[axis]! - begin[axis]! - g.shape[axis]!;
    if (before === 0 && after === 0) continue;
    const zeros = (n: number) => tf.zeros(g.shape.map((d, i) => (i === axis ? n : d)));
    const parts = [...(before > 0 ? [zeros(before)] : []), g, ...(after > 0 ? [zeros(after)] : [])];
    g = tf.concat(parts, axis);
  }
  return g;
}

/**
 * tf.slice whose gradient is built by concatenation with zeros. tfjs' own Slice gradient uses tf.pad, whose
 * WebGPU shader is broken for rank-5 tensors in 4.22 (invalid WGSL "vec5"; the gradient silently comes
 * out wrong), so every slice in the networks' differentiable path goes through here.
 */
export function slice5(x: tf.Tensor5D, begin: number[], size: number[]): tf.Tensor5D {
  const sizes = size.map((n, i) => (n === -1 ? x.shape[i]! - begin[i]! : n));
  const whole = (i: number) => begin[i] === 0 && sizes[i] === x.shape[i];
  if (whole(0) && whole(4) && cpuTensors() && getFlag('cpuOps') !== 'tfjs')
    return cropCpu(x, begin.slice(1, 4), sizes.slice(1, 4));
  const f = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.slice(inputs[0] as tf.Tensor, begin, sizes) as tf.Tensor5D,
    gradFunc: (dy: tf.Tensor5D) => zeroPadByConcat(dy, begin, x.shape),
  }));
  return f(x);
}

/** Max pooling 2×2×2 with stride 2 (the 3D U-Net's down-sampling). Odd sizes are floored ('valid'). */
export function maxPool3d(x: tf.Tensor5D, size = 2): tf.Tensor5D {
  if (size === 2 && cpuTensors() && getFlag('cpuOps') !== 'tfjs') return maxPoolCpu(x);
  return tf.maxPool3d(x, size, size, 'valid');
}

/**
 * Reflect padding (edge voxel not repeated, as numpy 'reflect'). Each pad must be smaller than its axis.
 * Built from slice + reverse + concat: tfjs 4.22's MirrorPad gradient only slices the centre of dy and drops
 * the contributions of the mirrored voxels (caught by the finite-difference test), so tf.mirrorPad is not used.
 */
export function reflectPad3d(x: tf.Tensor5D, pads: Pads3): tf.Tensor5D {
  pads.forEach(([before, after], i) => {
    const n = x.shape[i + 1]!;
    if (before < 0 || after < 0 || before >= n || after >= n) {
      throw new InvalidVolumeError(
        `reflect padding of ${before}/${after} voxels needs an axis longer than that, but axis ${'zyx'[i]} has ${n}`,
        'Use a patch larger than the PSF, or a smaller PSF size.',
      );
    }
  });
  if (cpuTensors() && getFlag('cpuOps') !== 'tfjs') return reflectPadCpu(x, pads);
  return tf.tidy(() => {
    let y: tf.Tensor = x;
    pads.forEach(([before, after], i) => {
      const axis = i + 1;
      const n = y.shape[axis]!;
      const along = (start: number, size: number) => {
        const begin = [0, 0, 0, 0, 0];
        const sizes = [-1, -1, -1, -1, -1];
        begin[axis] = start;
        sizes[axis] = size;
        return tf.reverse(slice5(y as tf.Tensor5D, begin, sizes), axis);
      };
      const parts: tf.Tensor[] = [];
      if (before > 0) parts.push(along(1, before));
      parts.push(y);
      if (after > 0) parts.push(along(n - 1 - after, after));
      if (parts.length > 1) y = tf.concat(parts, axis);
    });
    return y as tf.Tensor5D;
  });
}

/** Padding that keeps the size after a 'valid' convolution with kernel k: floor((k−1)/2) before, the rest after. */
export function samePads(kernel: [number, number, number]): Pads3 {
  return kernel.map((k) => [Math.floor((k - 1) / 2), k - 1 - Math.floor((k - 1) / 2)]) as Pads3;
}

/** A sub-volume: `start` and `size` in voxels on z, y, x; all batch items and channels. */
export function crop3d(x: tf.Tensor5D, start: [number, number, number], size: [number, number, number]): tf.Tensor5D {
  start.forEach((s, i) => {
    if (s < 0 || size[i]! < 1 || s + size[i]! > x.shape[i + 1]!) {
      throw new InvalidVolumeError(
        `crop ${start.join(',')} + ${size.join('×')} lies outside a volume of ${x.shape.slice(1, 4).join('×')}`,
      );
    }
  });
  return slice5(x, [0, ...start, 0], [-1, ...size, -1]);
}

/** Centre crop of `size` (used to match skip connections when an axis was odd). */
export function centerCrop3d(x: tf.Tensor5D, size: [number, number, number]): tf.Tensor5D {
  const start = size.map((s, i) => Math.floor((x.shape[i + 1]! - s) / 2)) as [number, number, number];
  return crop3d(x, start, size);
}

/** Concatenation along channels (skip connections); typed arrays on CPU backends, tf.concat elsewhere. */
export function concatChannels(a: tf.Tensor5D, b: tf.Tensor5D): tf.Tensor5D {
  if (cpuTensors() && getFlag('cpuOps') !== 'tfjs') return concatChannelsCpu(a, b);
  return tf.concat([a, b], 4);
}
