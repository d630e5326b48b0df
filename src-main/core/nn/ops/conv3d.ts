// 3D convolutions for every network, routed through one swappable implementation so a faster kernel
// (e.g. vol2col + matMul on wasm, issue 9) can be plugged in without touching the models. Also registers
// the gradient tfjs-core 4.22 lacks for Conv3DBackpropInputV2, which makes tf.conv3dTranspose trainable.
import * as tf from '@tensorflow/tfjs';
import type { Padding } from '../../kernels/conv-geometry';

export type { Padding };
export type Stride = number | [number, number, number];

/**
 * A 3D convolution implementation. Tensors are NDHWC; `w` is [kz, ky, kx, inChannels, outChannels] for conv3d
 * and [kz, ky, kx, outChannels, inChannels] for conv3dTranspose (tfjs conventions). Must be differentiable
 * with respect to both arguments (tf.customGrad or ops with correct gradients) and follow tfjs' 'same'
 * padding rule (extra padding after, not before).
 */
export interface Conv3dImpl {
  readonly name: string;
  conv3d(x: tf.Tensor5D, w: tf.Tensor5D, strides: [number, number, number], padding: Padding): tf.Tensor5D;
  /** Optional; defaults to tf.conv3dTranspose. `outShape` is [batch, z, y, x, outChannels]. */
  conv3dTranspose?(
    x: tf.Tensor5D,
    w: tf.Tensor5D,
    outShape: [number, number, number, number, number],
    strides: [number, number, number],
    padding: Padding,
  ): tf.Tensor5D;
}

/** The default: tfjs' own Conv3D kernels (correct gradients on cpu and webgpu; NOT on wasm). */
export const tfConv3dImpl: Conv3dImpl = {
  name: 'tfjs',
  conv3d: (x, w, strides, padding) => tf.conv3d(x, w, strides, padding),
  conv3dTranspose: (x, w, outShape, strides, padding) => tf.conv3dTranspose(x, w, outShape, strides, padding),
};

let current: Conv3dImpl = tfConv3dImpl;

/** Install a conv3d implementation for all networks; returns the previous one (to restore in tests). */
export function setConv3dImpl(impl: Conv3dImpl): Conv3dImpl {
  const previous = current;
  current = impl;
  return previous;
}
export function getConv3dImpl(): Conv3dImpl {
  return current;
}

export function strides3(stride: Stride): [number, number, number] {
  return typeof stride === 'number' ? [stride, stride, stride] : stride;
}

/** Output edge length of a convolution with tfjs' padding rules. */
export function convOutSize(size: number, kernel: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}

/** Cross-correlation as in every DL framework: y[o] = Σ x[o·s + j − padBefore] · w[j]. */
export function conv3d(x: tf.Tensor5D, w: tf.Tensor5D, stride: Stride = 1, padding: Padding = 'same'): tf.Tensor5D {
  return current.conv3d(x, w, strides3(stride), padding);
}

/**
 * Transposed convolution (the adjoint of conv3d), used for the U-Net's up-convolution. `w` is
 * [kz, ky, kx, outChannels, inChannels]. With 'same' the output is input × stride on each axis.
 */
export function conv3dTranspose(
  x: tf.Tensor5D,
  w: tf.Tensor5D,
  stride: Stride = 2,
  padding: Padding = 'same',
): tf.Tensor5D {
  const s = strides3(stride);
  const [b, d, h, wd] = x.shape;
  const k = w.shape;
  const out = (n: number, i: number): number => (padding === 'same' ? n * s[i]! : (n - 1) * s[i]! + k[i]!);
  const outShape: [number, number, number, number, number] = [b, out(d, 0), out(h, 1), out(wd, 2), k[3]];
  return current.conv3dTranspose
    ? current.conv3dTranspose(x, w, outShape, s, padding)
    : tf.conv3dTranspose(x, w, outShape, s, padding);
}

let registered = false;

/**
 * Gradient of Conv3DBackpropInputV2 (inputs dy, filter): it is a linear map of dy, so its gradient w.r.t. dy
 * is the forward conv3d of the incoming gradient, and w.r.t. the filter it is Conv3DBackpropFilterV2 with
 * the roles of x and dy swapped — the same construction tfjs uses for Conv2DBackpropInput.
 * Idempotent; runs on import of this module.
 */
export function registerConv3dGradients(): void {
  if (registered) return;
  registered = true;
  if (tf.getGradient('Conv3DBackpropInputV2')) return;
  tf.registerGradient({
    kernelName: 'Conv3DBackpropInputV2',
    inputsToSave: ['dy', 'filter'],
    gradFunc: (ddx, saved, attrs) => {
      const [dy, filter] = saved as [tf.Tensor5D, tf.Tensor5D];
      const strides = attrs.strides as [number, number, number],
        pad = attrs.pad as Padding;
      const g = (Array.isArray(ddx) ? ddx[0] : ddx) as tf.Tensor5D;
      return {
        dy: () => tf.conv3d(g, filter, strides, pad),
        filter: () =>
          tf
            .engine()
            .runKernel(
              'Conv3DBackpropFilterV2',
              { x: g, dy },
              { strides, pad, filterShape: filter.shape },
            ) as tf.Tensor,
      };
    },
  });
}

registerConv3dGradients();
