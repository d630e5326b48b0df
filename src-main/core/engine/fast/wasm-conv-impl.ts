// conv3d on the WebAssembly SIMD kernel (wasm-conv.ts) for the cpu backend: the forward pass, the
// filter gradient and the input gradient (gather form, any stride) run in the kernel per batch
// item. Falls back to tfjs' kernels (or kernels.ts) where the WebAssembly runtime is missing.
import * as tf from '@tensorflow/tfjs';
import { tfConv3dImpl, type Conv3dImpl, type Padding } from '../ops';
import { convImplFrom } from './conv3d';
import { convGeometry, type Triple } from './geometry';
import { conv3dFilterGrad, conv3dInputGrad } from './kernels';
import { convFilterGradItem, convForwardItem, convInputGradItem, convRuntime } from './wasm-conv';

type Shape5 = [number, number, number, number, number];

/** The runtime when tensors live in CPU memory (cpu, wasm backends); null on GPU backends or without the kernel. */
function cpuRuntime(): ReturnType<typeof convRuntime> {
  const b = tf.getBackend();
  return b === 'cpu' || b === 'wasm' ? convRuntime() : null;
}

function f32(t: tf.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

export function wasmConvForward(x: tf.Tensor5D, w: tf.Tensor5D, strides: Triple, padding: Padding): tf.Tensor5D {
  const rt = cpuRuntime();
  if (!rt) return tf.conv3d(x, w, strides, padding);
  const [b, z, y, xs, c] = x.shape, co = w.shape[4];
  const g = convGeometry([z, y, xs], [w.shape[0], w.shape[1], w.shape[2]], strides, padding);
  const xd = f32(x), wd = f32(w), per = z * y * xs * c, outPer = g.outSize[0] * g.outSize[1] * g.outSize[2] * co;
  const out = new Float32Array(b * outPer);
  for (let i = 0; i < b; i++) out.set(convForwardItem(rt, xd.subarray(i * per, (i + 1) * per), wd, g, c, co), i * outPer);
  return tf.tensor5d(out, [b, ...g.outSize, co]);
}

export function wasmConvFilterGrad(x: tf.Tensor5D, dy: tf.Tensor5D, filterShape: Shape5, strides: Triple, padding: Padding): tf.Tensor5D {
  const rt = cpuRuntime();
  if (!rt) return conv3dFilterGrad(x, dy, filterShape, strides, padding);
  const [b, z, y, xs, c] = x.shape, co = dy.shape[4];
  const g = convGeometry([z, y, xs], [filterShape[0], filterShape[1], filterShape[2]], strides, padding);
  const xd = f32(x), dyd = f32(dy), per = z * y * xs * c, dyPer = dy.size / b;
  const dw = new Float32Array(filterShape.reduce((p, v) => p * v, 1));
  for (let i = 0; i < b; i++) {
    const part = convFilterGradItem(rt, xd.subarray(i * per, (i + 1) * per), dyd.subarray(i * dyPer, (i + 1) * dyPer), g, c, co);
    for (let j = 0; j < dw.length; j++) dw[j] += part[j];
  }
  return tf.tensor5d(dw, filterShape);
}

export function wasmConvInputGrad(dy: tf.Tensor5D, w: tf.Tensor5D, inShape: Shape5, strides: Triple, padding: Padding): tf.Tensor5D {
  const rt = cpuRuntime();
  if (!rt) return conv3dInputGrad(dy, w, inShape, strides, padding, wasmConvForward);
  const [b, z, y, xs, c] = inShape, co = dy.shape[4];
  const g = convGeometry([z, y, xs], [w.shape[0], w.shape[1], w.shape[2]], strides, padding);
  const dyd = f32(dy), wd = f32(w), dyPer = dy.size / b, per = z * y * xs * c;
  const dx = new Float32Array(b * per);
  for (let i = 0; i < b; i++) dx.set(convInputGradItem(rt, dyd.subarray(i * dyPer, (i + 1) * dyPer), wd, g, c, co), i * per);
  return tf.tensor5d(dx, inShape);
}

const kernelImpl = convImplFrom('wasm-simd', { forward: wasmConvForward, inputGrad: wasmConvInputGrad, filterGrad: wasmConvFilterGrad });

/**
 * conv3d and transposed conv3d on the WebAssembly SIMD kernel, with tf.customGrad gradients, while
 * the active backend keeps tensors in CPU memory; on any other backend, tfjs' own ops and gradients.
 */
export const wasmConv3dImpl: Required<Conv3dImpl> = {
  name: 'wasm-simd',
  conv3d: (x, w, strides, padding) => (cpuRuntime() ? kernelImpl : tfConv3dImpl).conv3d(x, w, strides, padding),
  conv3dTranspose: (x, w, outShape, strides, padding) => (cpuRuntime() ? kernelImpl.conv3dTranspose(x, w, outShape, strides, padding) : tf.conv3dTranspose(x, w, outShape, strides, padding)),
};

/** Threads the kernel runs on here (0 when it cannot run). */
export function wasmConvThreads(): number {
  return convRuntime()?.threadCount ?? 0;
}
