// The vol2col conv3d implementation (issue 9): forward and both gradients as vol2col + matMul (see vol2col.ts),
// wrapped in tf.customGrad so autodiff never reaches a backend's Conv3D kernel or gradient (the wasm backend's
// are wrong in tfjs 4.22). Plugs into the models through ops/conv3d setConv3dImpl.
import * as tf from '@tensorflow/tfjs';
import type { Conv3dImpl, Padding } from '../ops';
import type { Triple } from '../../kernels/conv-geometry';
import { conv3dFilterGrad, conv3dForward, conv3dInputGrad } from './vol2col';

type Shape5 = [number, number, number, number, number];

/** The three linear maps of a conv3d; everything else (autodiff, transposed conv) is built from them. */
export interface ConvKernels {
  forward: (x: tf.Tensor5D, w: tf.Tensor5D, strides: Triple, padding: Padding) => tf.Tensor5D;
  inputGrad: (dy: tf.Tensor5D, w: tf.Tensor5D, inShape: Shape5, strides: Triple, padding: Padding) => tf.Tensor5D;
  filterGrad: (x: tf.Tensor5D, dy: tf.Tensor5D, filterShape: Shape5, strides: Triple, padding: Padding) => tf.Tensor5D;
}

/**
 * A Conv3dImpl from the three maps, wrapped in tf.customGrad so autodiff never reaches a backend's
 * Conv3D kernel or gradient. The transposed conv3d (tfjs semantics: x [B, z, y, x, Cin],
 * w [k, k, k, Cout, Cin] → outShape) is the input-gradient of conv3d with filter w, so its own
 * gradients are the forward conv (w.r.t. x) and the filter gradient with input and output swapped.
 */
export function convImplFrom(name: string, k: ConvKernels): Required<Conv3dImpl> {
  const conv3d = (x: tf.Tensor5D, w: tf.Tensor5D, strides: Triple, padding: Padding): tf.Tensor5D => {
    const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [xi, wi, save] = args as [tf.Tensor5D, tf.Tensor5D, tf.GradSaveFunc];
      save([xi, wi]);
      return {
        value: k.forward(xi, wi, strides, padding),
        gradFunc: (g: tf.Tensor5D, saved: tf.Tensor[]) => {
          const [sx, sw] = saved as [tf.Tensor5D, tf.Tensor5D];
          return [
            k.inputGrad(g, sw, sx.shape as Shape5, strides, padding),
            k.filterGrad(sx, g, sw.shape as Shape5, strides, padding),
          ];
        },
      };
    });
    return f(x, w) as tf.Tensor5D;
  };
  const conv3dTranspose = (
    x: tf.Tensor5D,
    w: tf.Tensor5D,
    outShape: Shape5,
    strides: Triple,
    padding: Padding,
  ): tf.Tensor5D => {
    const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [xi, wi, save] = args as [tf.Tensor5D, tf.Tensor5D, tf.GradSaveFunc];
      save([xi, wi]);
      return {
        value: k.inputGrad(xi, wi, outShape, strides, padding),
        gradFunc: (g: tf.Tensor5D, saved: tf.Tensor[]) => {
          const [sx, sw] = saved as [tf.Tensor5D, tf.Tensor5D];
          return [k.forward(g, sw, strides, padding), k.filterGrad(g, sx, sw.shape as Shape5, strides, padding)];
        },
      };
    });
    return f(x, w) as tf.Tensor5D;
  };
  return { name, conv3d, conv3dTranspose };
}

/** vol2col + matMul (tf ops only). */
export const vol2colConv3dImpl = convImplFrom('vol2col', {
  forward: conv3dForward,
  inputGrad: conv3dInputGrad,
  filterGrad: conv3dFilterGrad,
});

/** Differentiable conv3d (cross-correlation, tfjs layout and padding rule), vol2col + matMul. */
export const vol2colConv3d = vol2colConv3dImpl.conv3d;

/** Differentiable transposed conv3d, vol2col + matMul. */
export const vol2colConv3dTranspose = vol2colConv3dImpl.conv3dTranspose;
