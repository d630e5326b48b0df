// conv3d on our kernels for the cpu backend: the forward pass, the filter gradient and the input
// gradient (gather form, any stride) run per batch item in the native AVX2 kernel (native-conv.ts)
// or the WebAssembly SIMD kernel (wasm-conv.ts), which share one algorithm and layout. Falls back to
// tfjs' kernels (or kernels.ts) where the runtime is missing.
import * as tf from '@tensorflow/tfjs';
import { tfConv3dImpl, type Conv3dImpl, type Padding } from '../ops';
import { convImplFrom } from './vol2col-conv3d';
import { convGeometry, type Triple } from '../../kernels/conv-geometry';
import { conv3dFilterGrad, conv3dInputGrad } from './vol2col';
import { nativeConvRuntime } from '../../kernels/native-conv';
import {
  convFilterGradItem,
  convForwardItem,
  convInputGradItem,
  convRuntime,
  type ConvRuntime,
} from '../../kernels/wasm-conv';

type Shape5 = [number, number, number, number, number];

function f32(t: tf.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

function kernelForward(
  rt: ConvRuntime | null,
  x: tf.Tensor5D,
  w: tf.Tensor5D,
  strides: Triple,
  padding: Padding,
): tf.Tensor5D {
  if (!rt) return tf.conv3d(x, w, strides, padding);
  const [b, z, y, xs, c] = x.shape,
    co = w.shape[4];
  const g = convGeometry([z, y, xs], [w.shape[0], w.shape[1], w.shape[2]], strides, padding);
  const xd = f32(x),
    wd = f32(w),
    per = z * y * xs * c,
    outPer = g.outSize[0] * g.outSize[1] * g.outSize[2] * co;
  // One item (every step and tile here): its result is the output, no second copy.
  const out = b === 1 ? convForwardItem(rt, xd, wd, g, c, co) : new Float32Array(b * outPer);
  if (b > 1)
    for (let i = 0; i < b; i++)
      out.set(convForwardItem(rt, xd.subarray(i * per, (i + 1) * per), wd, g, c, co), i * outPer);
  return tf.tensor5d(out, [b, ...g.outSize, co]);
}

function kernelFilterGrad(
  rt: ConvRuntime | null,
  x: tf.Tensor5D,
  dy: tf.Tensor5D,
  filterShape: Shape5,
  strides: Triple,
  padding: Padding,
): tf.Tensor5D {
  if (!rt) return conv3dFilterGrad(x, dy, filterShape, strides, padding);
  const [b, z, y, xs, c] = x.shape,
    co = dy.shape[4];
  const g = convGeometry([z, y, xs], [filterShape[0], filterShape[1], filterShape[2]], strides, padding);
  const xd = f32(x),
    dyd = f32(dy),
    per = z * y * xs * c,
    dyPer = dy.size / b;
  if (b === 1) return tf.tensor5d(convFilterGradItem(rt, xd, dyd, g, c, co), filterShape);
  const dw = new Float32Array(filterShape.reduce((p, v) => p * v, 1));
  for (let i = 0; i < b; i++) {
    const part = convFilterGradItem(
      rt,
      xd.subarray(i * per, (i + 1) * per),
      dyd.subarray(i * dyPer, (i + 1) * dyPer),
      g,
      c,
      co,
    );
    for (let j = 0; j < dw.length; j++) dw[j]! += part[j]!;
  }
  return tf.tensor5d(dw, filterShape);
}

function kernelInputGrad(
  rt: ConvRuntime | null,
  dy: tf.Tensor5D,
  w: tf.Tensor5D,
  inShape: Shape5,
  strides: Triple,
  padding: Padding,
): tf.Tensor5D {
  if (!rt) return conv3dInputGrad(dy, w, inShape, strides, padding, (x, f, s, p) => kernelForward(null, x, f, s, p));
  const [b, z, y, xs, c] = inShape,
    co = dy.shape[4];
  const g = convGeometry([z, y, xs], [w.shape[0], w.shape[1], w.shape[2]], strides, padding);
  const dyd = f32(dy),
    wd = f32(w),
    dyPer = dy.size / b,
    per = z * y * xs * c;
  const dx = b === 1 ? convInputGradItem(rt, dyd, wd, g, c, co) : new Float32Array(b * per);
  if (b > 1)
    for (let i = 0; i < b; i++)
      dx.set(convInputGradItem(rt, dyd.subarray(i * dyPer, (i + 1) * dyPer), wd, g, c, co), i * per);
  return tf.tensor5d(dx, inShape);
}

/** The runtime when tensors live in CPU memory (cpu, wasm backends); null on GPU backends or without the kernel. */
const onCpu = (get: () => ConvRuntime | null) => (): ConvRuntime | null => {
  const b = tf.getBackend();
  return b === 'cpu' || b === 'wasm' ? get() : null;
};

/**
 * conv3d and transposed conv3d on a kernel runtime, with tf.customGrad gradients, while the active
 * backend keeps tensors in CPU memory; on any other backend, tfjs' own ops and gradients.
 */
function kernelConvImpl(name: string, get: () => ConvRuntime | null): Required<Conv3dImpl> {
  const rt = onCpu(get);
  const impl = convImplFrom(name, {
    forward: (x, w, s, p) => kernelForward(rt(), x, w, s, p),
    inputGrad: (dy, w, shape, s, p) => kernelInputGrad(rt(), dy, w, shape, s, p),
    filterGrad: (x, dy, shape, s, p) => kernelFilterGrad(rt(), x, dy, shape, s, p),
  });
  return {
    name,
    conv3d: (x, w, strides, padding) => (rt() ? impl : tfConv3dImpl).conv3d(x, w, strides, padding),
    conv3dTranspose: (x, w, outShape, strides, padding) =>
      rt()
        ? impl.conv3dTranspose(x, w, outShape, strides, padding)
        : tf.conv3dTranspose(x, w, outShape, strides, padding),
  };
}

/** On the WebAssembly SIMD kernel (any CPU with WebAssembly SIMD and threads). */
export const wasmConv3dImpl = kernelConvImpl('wasm-simd', convRuntime);

/** On the native AVX2 + FMA kernel (linux-x64). */
export const nativeConv3dImpl = kernelConvImpl('native-avx2', nativeConvRuntime);

/** Threads the WebAssembly kernel runs on here (0 when it cannot run). */
export function wasmConvThreads(): number {
  return convRuntime()?.threadCount ?? 0;
}

/** Threads the native kernel runs on here (0 when it cannot run). */
export function nativeConvThreads(): number {
  return nativeConvRuntime()?.threadCount ?? 0;
}
